import DTLS
import Logging
import Signaling
import WireKit

/// What a connection's writer task receives from the hub.
enum OutboundFrame: Sendable {
    /// A message to encode and send.
    case message(ServerMessage)
    /// Close the WebSocket with this code, then stop.
    case close(SignalingCloseCode)
}

/// Owns the `RendezvousHub` and plumbs it to connections: the only place the hub is
/// mutated. Each call feeds the hub, then drains its transmits into the connections'
/// outbound streams (never awaiting a socket) and its events into metrics and logs.
actor RendezvousHubDriver {
    private var hub: RendezvousHub
    private var outlets: [ConnectionID: AsyncStream<OutboundFrame>.Continuation] = [:]
    private var metrics: RendezvousMetrics
    private let logger: Logger
    private let busOutlet: AsyncStream<BusMessage>.Continuation?
    /// The gauge values last written (connections, devices online, rooms); -1: never written.
    private var recordedGauges = (-1, -1, -1)

    init(hub: RendezvousHub, metrics: RendezvousMetrics, logger: Logger, busOutlet: AsyncStream<BusMessage>.Continuation? = nil) {
        self.hub = hub
        self.metrics = metrics
        self.logger = logger
        self.busOutlet = busOutlet
    }

    /// A message from the bus (scale-out).
    func receive(bus message: BusMessage) {
        let now = Instant.monotonicNow()
        hub.handle(bus: message, now: now)
        flush(now: now)
    }

    /// Asks the other nodes to re-announce their devices and rooms.
    func announceStart() {
        hub.announceStart()
        flush(now: .monotonicNow())
    }

    /// Registers a new connection; the hub queues `hello` or a refusal for it.
    func open(source: String, outlet: AsyncStream<OutboundFrame>.Continuation) -> ConnectionID {
        let now = Instant.monotonicNow()
        let id = hub.open(source: source, now: now)
        outlets[id] = outlet
        flush(now: now)
        return id
    }

    /// An inbound frame, already decoded by the connection's task.
    func receive(_ parsed: Result<ClientMessage, SignalingParseError>, from id: ConnectionID) {
        let now = Instant.monotonicNow()
        switch parsed {
        case .success(let message): hub.handle(message: message, from: id, now: now)
        case .failure(let error): hub.handle(malformed: error, from: id, now: now)
        }
        flush(now: now)
    }

    /// The connection's socket is gone.
    func disconnected(_ id: ConnectionID) {
        let now = Instant.monotonicNow()
        outlets.removeValue(forKey: id)?.finish()
        hub.handle(disconnect: id, now: now)
        flush(now: now)
    }

    /// Runs the hub's timers (auth timeouts, room expiry) and refreshes the gauges.
    func tick() {
        let now = Instant.monotonicNow()
        if let deadline = hub.pollTimeout(), deadline <= now { hub.handle(timeout: now) }
        flush(now: now)
    }

    /// Connections, online devices and open rooms right now.
    func counts() -> (connections: Int, devices: Int, rooms: Int) {
        (hub.connectionCount, hub.onlineCount, hub.roomCount)
    }

    private func flush(now: Instant) {
        while true {
            var progressed = false
            while let transmit = hub.pollTransmit() {
                progressed = true
                switch transmit {
                case .message(let id, let message):
                    guard let outlet = outlets[id] else { continue }
                    if case .dropped = outlet.yield(.message(message)) {
                        outlets[id] = nil
                        outlet.finish()
                        hub.handle(slowConsumer: id, now: now)
                    }
                case .close(let id, let code):
                    guard let outlet = outlets.removeValue(forKey: id) else { continue }
                    outlet.yield(.close(code))
                    outlet.finish()
                }
            }
            while let event = hub.pollEvent() {
                progressed = true
                record(event)
            }
            while let message = hub.pollBusMessage() {
                progressed = true
                busOutlet?.yield(message)
            }
            if !progressed { break }
        }
        // Gauges are written only when they change: relaying a signal changes none of them.
        let gauges = (hub.connectionCount, hub.onlineCount, hub.roomCount)
        if gauges != recordedGauges {
            if gauges.0 != recordedGauges.0 { metrics.connections.record(gauges.0) }
            if gauges.1 != recordedGauges.1 { metrics.devicesOnline.record(gauges.1) }
            if gauges.2 != recordedGauges.2 { metrics.rooms.record(gauges.2) }
            recordedGauges = gauges
        }
    }

    private func record(_ event: HubEvent) {
        switch event {
        case .connectionOpened(let id, let source):
            metrics.connectionsOpened.increment()
            logger.debug("connection opened", metadata: ["connection": "\(id)", "source": "\(source)"])
        case .connectionClosed(let id):
            logger.debug("connection closed", metadata: ["connection": "\(id)"])
        case .authenticated(let id, let device):
            logger.debug("authenticated", metadata: ["connection": "\(id)", "device": "\(device.shortID)"])
        case .replaced(let old, let new, let device):
            logger.info("device reconnected; older connection replaced",
                        metadata: ["old": "\(old)", "new": "\(new)", "device": "\(device.shortID)"])
        case .relayed(.signal):
            metrics.signalsRelayed.increment()
        case .relayed(.room):
            metrics.roomMessagesRelayed.increment()
        case .refused(let id, let reason):
            metrics.refused(reason)
            logger.debug("refused", metadata: ["connection": "\(id)", "reason": "\(reason)"])
        case .roomOpened:
            metrics.roomsOpened.increment()
        case .roomClosed(_, let reason):
            logger.debug("room closed", metadata: ["reason": "\(reason.rawValue)"])
        }
    }
}
