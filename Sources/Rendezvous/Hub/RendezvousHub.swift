import DTLS
import Signaling
import WireKit

/// The rendezvous server's whole state and routing logic, with no I/O: a sans-IO core.
///
/// A driver tells it about connections (`open`, `handle(frame:)`, `handle(message:)`,
/// `handle(disconnect:)`) and time (`handle(timeout:)`), then drains `pollTransmit()` (frames
/// to send, connections to close) and `pollEvent()` (for metrics and logs) until both are
/// empty, and wakes it again at `pollTimeout()`. Nonces come from the injected random
/// generator, time only from the `now` arguments, so tests drive it deterministically.
///
/// Invariants: `online[d] == c` iff connection `c` is authenticated as `d`; a room's members
/// are live connections; a closed connection is forgotten at once (later input for it is
/// ignored), and every room it was in is burnt.
public struct RendezvousHub {
    /// The limits in force.
    public let limits: HubLimits
    /// The identity string sent in `hello` and covered by every client's signature.
    public let serverIdentity: String
    /// The codec used by `handle(frame:)`.
    public let codec: SignalingCodec
    /// This hub's name on a bus (nil: a single node that never talks to a bus).
    public let node: NodeID?

    var random: any RandomNumberGenerator
    var nextConnection: UInt64 = 1
    var nextRoomSerial: UInt64 = 1
    var connections: [ConnectionID: HubConnection] = [:]
    var online: [DeviceID: ConnectionID] = [:]
    var connectionsPerAddress: [String: Int] = [:]
    var watchers: [DeviceID: Set<ConnectionID>] = [:]
    var rooms: [String: HubRoom] = [:]
    var authDeadlines = DeadlineQueue<ConnectionID>()
    var roomDeadlines = DeadlineQueue<(code: String, serial: UInt64)>()
    var remoteOnline: [DeviceID: NodeID] = [:]
    /// Our own `online` announcements not yet echoed back by the bus, per device.
    var pendingOnline: [DeviceID: Int] = [:]
    var remoteRooms: [String: NodeID] = [:]
    var proxyRooms: [String: ProxyRoom] = [:]
    var busOut: [BusMessage] = []
    var busHead = 0
    var transmits: [HubTransmit] = []
    var transmitHead = 0
    var events: [HubEvent] = []
    var eventHead = 0

    /// A hub with these limits, announcing `serverIdentity`, drawing nonces from `random`
    /// (a seeded generator in tests, `SystemRandomNumberGenerator` in the server), and, for
    /// scale-out, named `node` on a bus.
    public init(limits: HubLimits = HubLimits(), serverIdentity: String, random: any RandomNumberGenerator, node: NodeID? = nil) {
        self.node = node
        self.limits = limits
        self.serverIdentity = serverIdentity
        self.codec = limits.codec
        self.random = random
    }

    // MARK: Getters

    /// Connections currently held (authenticated or not).
    public var connectionCount: Int { connections.count }
    /// Devices currently online.
    public var onlineCount: Int { online.count }
    /// Rooms currently open.
    public var roomCount: Int { rooms.count }
    /// The device a connection authenticated as, if it did.
    public func device(of connection: ConnectionID) -> DeviceID? { connections[connection]?.device }
    /// The connection a device is online on, if any.
    public func connection(of device: DeviceID) -> ConnectionID? { online[device] }

    // MARK: Connections

    /// Admits a new connection from `source` (its IP address) and queues `hello`, or
    /// refuses it with an error frame and a close code when a connection limit is reached.
    public mutating func open(source: String, now: Instant) -> ConnectionID {
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        if connections.count >= limits.maxConnections {
            refuseAndClose(id, .serverFull, .serverFull, "the server holds its maximum of \(limits.maxConnections) connections")
            return id
        }
        if connectionsPerAddress[source, default: 0] >= limits.maxConnectionsPerAddress {
            refuseAndClose(id, .tooManyConnections, .tooManyConnections,
                           "at most \(limits.maxConnectionsPerAddress) connections per source address")
            return id
        }
        var nonce = [UInt8](repeating: 0, count: SignalingProtocol.nonceLength)
        for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255, using: &random) }
        connections[id] = HubConnection(id: id, source: source, nonce: nonce,
                                        bucket: TokenBucket(rate: limits.messagesPerSecond, capacity: limits.messageBurst, now: now))
        connectionsPerAddress[source, default: 0] += 1
        authDeadlines.append(now + .seconds(limits.authTimeoutSeconds), id)
        events.append(.connectionOpened(id, source: source))
        send(id, .hello(version: SignalingProtocol.version, nonce: nonce, server: serverIdentity))
        return id
    }

    /// The connection's socket closed (by the peer, an error, or after a `.close` transmit).
    /// Unknown or already-forgotten connections are ignored.
    public mutating func handle(disconnect id: ConnectionID, now: Instant) {
        forget(id, notifyPresence: true)
    }

    /// The driver could not deliver to a connection fast enough; it is closed (4007).
    public mutating func handle(slowConsumer id: ConnectionID, now: Instant) {
        guard connections[id] != nil else { return }
        events.append(.refused(id, reason: SignalingCloseCode.slowConsumer.reason))
        close(id, .slowConsumer)
    }

    // MARK: Inbound frames

    /// A text frame arrived: decodes it (with the size limits) and handles it.
    public mutating func handle(frame text: String, from id: ConnectionID, now: Instant) {
        do throws(SignalingParseError) {
            let message = try codec.decodeClientMessage(text)
            handle(message: message, from: id, now: now)
        } catch {
            handle(malformed: error, from: id, now: now)
        }
    }

    /// A frame that failed to decode (decoded by the driver, off the hub's executor).
    public mutating func handle(malformed error: SignalingParseError, from id: ConnectionID, now: Instant) {
        guard admit(id, now: now) else { return }
        events.append(.refused(id, reason: error.errorCode.rawValue))
        send(id, .error(code: error.errorCode, message: error.description, ref: nil))
        if case .tooLarge = error {
            close(id, .messageTooLarge)
            return
        }
        guard var connection = connections[id] else { return }
        connection.malformed += 1
        connections[id] = connection
        if connection.malformed >= limits.maxMalformedFrames {
            close(id, .protocolViolation)
        }
    }

    /// A decoded client message arrived on a connection.
    public mutating func handle(message: ClientMessage, from id: ConnectionID, now: Instant) {
        guard admit(id, now: now), let connection = connections[id] else { return }
        if case .auth(let proof) = message {
            authenticate(id, proof: proof, now: now)
            return
        }
        if case .ping(let pingID) = message {
            send(id, .pong(id: pingID))
            return
        }
        guard let device = connection.device else {
            refuse(id, .notAuthenticated, "send auth first", ref: message.typeName)
            return
        }
        switch message {
        case .auth, .ping:
            break
        case .signal(let to, let payload):
            relaySignal(from: id, device: device, to: to, payload: payload)
        case .subscribe(let devices):
            subscribe(id, to: devices)
        case .unsubscribe(let devices):
            unsubscribe(id, from: devices)
        case .createRoom(let code):
            createRoom(by: id, code: code, now: now)
        case .joinRoom(let code):
            joinRoom(id, code: code)
        case .roomMessage(let code, let payload):
            relayRoomMessage(from: id, code: code, payload: payload)
        case .closeRoom(let code, let outcome):
            closeRoom(by: id, code: code, outcome: outcome)
        }
    }

    // MARK: Time

    /// Closes connections that did not authenticate in time and burns expired rooms.
    public mutating func handle(timeout now: Instant) {
        while let id = authDeadlines.popExpired(now: now) {
            guard let connection = connections[id], connection.device == nil else { continue }
            events.append(.refused(id, reason: SignalingCloseCode.authTimeout.reason))
            close(id, .authTimeout)
        }
        while let entry = roomDeadlines.popExpired(now: now) {
            guard let room = rooms[entry.code], room.serial == entry.serial else { continue }
            burn(room, reason: .expired)
        }
    }

    /// When `handle(timeout:)` next has work (may be early; never late).
    public func pollTimeout() -> Instant? {
        switch (authDeadlines.earliest, roomDeadlines.earliest) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    // MARK: Output

    /// The next frame to send or connection to close.
    public mutating func pollTransmit() -> HubTransmit? {
        guard transmitHead < transmits.count else { return nil }
        let transmit = transmits[transmitHead]
        transmitHead += 1
        if transmitHead == transmits.count {
            transmits.removeAll(keepingCapacity: true)
            transmitHead = 0
        }
        return transmit
    }

    /// The next event for metrics and logs.
    public mutating func pollEvent() -> HubEvent? {
        guard eventHead < events.count else { return nil }
        let event = events[eventHead]
        eventHead += 1
        if eventHead == events.count {
            events.removeAll(keepingCapacity: true)
            eventHead = 0
        }
        return event
    }
}
