import DTLS
import Logging
import NIOCore
import Signaling
import Synchronization
import WireKit

/// What a connection's handler receives from the hub.
enum OutboundFrame: Sendable {
    /// A message to encode and send.
    case message(ServerMessage)
    /// A text frame's payload already written (a forwarded `signal`).
    case encoded(ByteBuffer)
    /// Close the WebSocket with this code, then stop.
    case close(SignalingCloseCode)
}

/// Owns the `RendezvousHub` and plumbs it to connections: the only place the hub is
/// mutated, under one lock. Each call feeds the hub and drains its transmits, events and bus
/// messages while holding the lock; the frames then go to the connections' outlets after it is
/// released (never awaiting a socket), events to metrics and logs.
///
/// Calls come straight from the connections' event loops (`RelayConnectionHandler`), so a
/// relayed signal costs no task switch; the critical section is a few dictionary operations.
final class RendezvousHubDriver: Sendable {
    private struct State {
        var hub: RendezvousHub
        var outlets: [ConnectionID: ConnectionOutlet] = [:]
        var metrics: RendezvousMetrics
        /// The gauge values last written (connections, devices online, rooms); -1: never written.
        var recordedGauges = (-1, -1, -1)
        /// Frames to deliver once the lock is released (kept to reuse its storage).
        var pending: [(ConnectionOutlet, OutboundFrame)] = []
    }

    private let state: Mutex<State>
    /// Every event loop's outbox (cross-loop delivery and flushes).
    let outboxes = LoopOutboxes()
    private let logger: Logger
    private let busOutlet: AsyncStream<BusMessage>.Continuation?

    init(hub: sending RendezvousHub, metrics: sending RendezvousMetrics, logger: Logger, busOutlet: AsyncStream<BusMessage>.Continuation? = nil) {
        self.state = Mutex(State(hub: hub, metrics: metrics))
        self.logger = logger
        self.busOutlet = busOutlet
    }

    /// A message from the bus (scale-out).
    func receive(bus message: BusMessage) {
        run { state, now in state.hub.handle(bus: message, now: now) }
    }

    /// Asks the other nodes to re-announce their devices and rooms.
    func announceStart() {
        run { state, _ in state.hub.announceStart() }
    }

    /// Registers a new connection; the hub queues `hello` or a refusal for it.
    func open(source: String, outlet: ConnectionOutlet) -> ConnectionID {
        run { state, now in
            let id = state.hub.open(source: source, now: now)
            state.outlets[id] = outlet
            return id
        }
    }

    /// An inbound frame, already decoded by the connection's handler.
    func receive(_ parsed: Result<ClientMessage, SignalingParseError>, from id: ConnectionID) {
        run { state, now in
            switch parsed {
            case .success(let message): state.hub.handle(message: message, from: id, now: now)
            case .failure(let error): state.hub.handle(malformed: error, from: id, now: now)
            }
        }
    }

    /// What to do with a `signal` whose payload the connection's handler forwards itself.
    enum SignalForward: Sendable {
        /// Send the frame, rewritten as from `from`, to this outlet.
        case deliver(ConnectionOutlet, from: DeviceID)
        /// The hub answered (a refusal, if anything): nothing to forward.
        case handled
        /// Decode the frame and hand it to `receive(_:from:)` instead.
        case general
    }

    /// A well-formed `signal` to `target` (the relay's hot path: see `RendezvousHub.routeSignal`).
    func relaySignal(to target: DeviceID, from id: ConnectionID) -> SignalForward {
        run { state, now in
            switch state.hub.routeSignal(to: target, from: id, now: now) {
            case .deliver(let destination, let device):
                guard let outlet = state.outlets[destination] else { return .handled }
                return .deliver(outlet, from: device)
            case .handled:
                return .handled
            case .general:
                return .general
            }
        }
    }

    /// The connection's socket is gone.
    func disconnected(_ id: ConnectionID) {
        run { state, now in
            state.outlets.removeValue(forKey: id)
            state.hub.handle(disconnect: id, now: now)
        }
    }

    /// The connection could not keep up with its outbound traffic; the hub closes it (4007).
    func slowConsumer(_ id: ConnectionID) {
        run { state, now in state.hub.handle(slowConsumer: id, now: now) }
    }

    /// Runs the hub's timers (auth timeouts, room expiry) and refreshes the gauges.
    func tick() {
        run { state, now in
            if let deadline = state.hub.pollTimeout(), deadline <= now { state.hub.handle(timeout: now) }
        }
    }

    /// Connections, online devices and open rooms right now.
    func counts() -> (connections: Int, devices: Int, rooms: Int) {
        state.withLock { ($0.hub.connectionCount, $0.hub.onlineCount, $0.hub.roomCount) }
    }

    /// Runs `body` on the hub under the lock, drains the hub, then delivers its frames.
    private func run<T: Sendable>(_ body: (inout State, Instant) -> T) -> T {
        let (result, frames) = state.withLock { state -> (T, [(ConnectionOutlet, OutboundFrame)]) in
            let now = Instant.monotonicNow()
            let result = body(&state, now)
            drain(&state, now: now)
            // Most calls (a relayed signal) queue nothing: no array is handed over then.
            guard !state.pending.isEmpty else { return (result, []) }
            let frames = state.pending
            state.pending.removeAll(keepingCapacity: true)
            return (result, frames)
        }
        for (outlet, frame) in frames { outlet.deliver(frame) }
        return result
    }

    private func drain(_ state: inout State, now: Instant) {
        while true {
            var progressed = false
            while let transmit = state.hub.pollTransmit() {
                progressed = true
                switch transmit {
                case .message(let id, let message):
                    guard let outlet = state.outlets[id] else { continue }
                    state.pending.append((outlet, .message(message)))
                case .close(let id, let code):
                    guard let outlet = state.outlets.removeValue(forKey: id) else { continue }
                    state.pending.append((outlet, .close(code)))
                }
            }
            while let event = state.hub.pollEvent() {
                progressed = true
                record(event, metrics: &state.metrics)
            }
            while let message = state.hub.pollBusMessage() {
                progressed = true
                busOutlet?.yield(message)
            }
            if !progressed { break }
        }
        // Gauges are written only when they change: relaying a signal changes none of them.
        let gauges = (state.hub.connectionCount, state.hub.onlineCount, state.hub.roomCount)
        if gauges != state.recordedGauges {
            if gauges.0 != state.recordedGauges.0 { state.metrics.connections.record(gauges.0) }
            if gauges.1 != state.recordedGauges.1 { state.metrics.devicesOnline.record(gauges.1) }
            if gauges.2 != state.recordedGauges.2 { state.metrics.rooms.record(gauges.2) }
            state.recordedGauges = gauges
        }
    }

    private func record(_ event: HubEvent, metrics: inout RendezvousMetrics) {
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
