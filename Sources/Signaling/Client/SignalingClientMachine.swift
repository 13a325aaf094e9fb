import DTLS
import WireKit

/// The signaling client's logic without I/O: connection attempts with jittered backoff,
/// the `hello` → `auth` → `welcome` handshake, a bounded send queue while not connected,
/// and re-subscription to presence after every reconnect.
///
/// Inputs: `start`, `handleConnected`, `handle(frame:)`, `handleDisconnected`,
/// `handle(timeout:)`, `send`, `stop`. Outputs: `pollAction()` (connect, send, disconnect),
/// `pollEvent()`, `pollTimeout()`. Time comes only from `now` arguments and randomness from
/// the injected generator; the only outside call is the credential's signature.
public struct SignalingClientMachine {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Reconnection delays.
        public var backoff = Backoff()
        /// Messages kept while not authenticated; beyond this `send` throws `queueFull`.
        public var sendQueueLimit = 256
        /// Time allowed from connect to `welcome`.
        public var handshakeTimeout: Duration = .seconds(10)
        /// When set, a `hello` announcing another server identity is refused (recommended:
        /// it stops a malicious server from relaying another server's nonce).
        public var expectedServerIdentity: String?

        /// The defaults.
        public init() {}
    }

    /// Something the driver must do.
    public enum Action: Sendable, Equatable {
        /// Open a new WebSocket (attempt number, 1-based since the last success).
        case connect(attempt: Int)
        /// Send this message on the open WebSocket.
        case send(ClientMessage)
        /// Close the open WebSocket.
        case disconnect
    }

    enum State: Equatable {
        case idle
        case waiting(until: Instant)
        case connecting(deadline: Instant)
        case awaitingHello(deadline: Instant)
        case awaitingWelcome(deadline: Instant)
        case ready(DeviceID)
        case stopped
    }

    /// The tunables in force.
    public let configuration: Configuration
    let credential: any SignalingCredential
    var random: any RandomNumberGenerator
    var state: State = .idle
    var attempt = 0
    var queue: [ClientMessage] = []
    /// Devices watched for presence; re-sent after each authentication.
    public private(set) var subscriptions: Set<DeviceID> = []
    var actions: [Action] = []
    var events: [SignalingClientEvent] = []
    let codec = SignalingCodec()

    /// A machine that authenticates with `credential` and draws jitter from `random`.
    public init(credential: any SignalingCredential, configuration: Configuration = Configuration(), random: any RandomNumberGenerator) {
        self.credential = credential
        self.configuration = configuration
        self.random = random
    }

    /// True once authenticated and until the connection drops.
    public var isReady: Bool { if case .ready = state { true } else { false } }
    /// Messages waiting for a connection.
    public var queuedCount: Int { queue.count }

    // MARK: Inputs

    /// Begins connecting.
    public mutating func start(now: Instant) {
        guard state == .idle else { return }
        beginAttempt(now: now)
    }

    /// The WebSocket opened; the server's `hello` is next.
    public mutating func handleConnected(now: Instant) {
        guard case .connecting(let deadline) = state else { return }
        state = .awaitingHello(deadline: deadline)
    }

    /// A text frame arrived from the server.
    public mutating func handle(frame text: String, now: Instant) {
        let message: ServerMessage
        do { message = try codec.decodeServerMessage(text) } catch {
            return  // A server we do not understand: ignore the frame, as the protocol allows additions.
        }
        switch state {
        case .awaitingHello:
            guard case .hello(let version, let nonce, let server) = message else { return }
            guard version == SignalingProtocol.version else {
                fail("unsupported protocol version \(version)", now: now)
                return
            }
            if let expected = configuration.expectedServerIdentity, expected != server {
                fail("the server announced identity \"\(server)\", expected \"\(expected)\"", now: now)
                return
            }
            do {
                let proof = try credential.proof(nonce: nonce, serverIdentity: server)
                actions.append(.send(.auth(proof)))
                if case .awaitingHello(let deadline) = state { state = .awaitingWelcome(deadline: deadline) }
            } catch {
                fail("signing failed: \(error)", now: now)
            }
        case .awaitingWelcome:
            switch message {
            case .welcome(let device):
                state = .ready(device)
                attempt = 0
                events.append(.authenticated(device))
                if !subscriptions.isEmpty { actions.append(.send(.subscribe(subscriptions.sorted()))) }
                for queued in queue { actions.append(.send(queued)) }
                queue.removeAll()
            default:
                events.append(.message(message))
            }
        case .ready:
            events.append(.message(message))
        case .idle, .waiting, .connecting, .stopped:
            return
        }
    }

    /// The WebSocket closed (`code` and `reason` from the server's close frame, if any).
    public mutating func handleDisconnected(code: UInt16?, reason: String, now: Instant) {
        switch state {
        case .idle, .waiting, .stopped:
            return
        case .connecting, .awaitingHello, .awaitingWelcome, .ready:
            if code == 4001 || code == 4003 {
                state = .stopped
                events.append(.disconnected(code: code, reason: reason, reconnectIn: nil))
                return
            }
            scheduleReconnect(code: code, reason: reason, now: now)
        }
    }

    /// Time passed: starts a due attempt, or abandons a handshake that took too long.
    public mutating func handle(timeout now: Instant) {
        switch state {
        case .waiting(let until) where now >= until:
            beginAttempt(now: now)
        case .connecting(let deadline) where now >= deadline,
             .awaitingHello(let deadline) where now >= deadline,
             .awaitingWelcome(let deadline) where now >= deadline:
            actions.append(.disconnect)
            scheduleReconnect(code: nil, reason: "handshake timeout", now: now)
        default:
            break
        }
    }

    /// Sends now when authenticated, else queues (bounded). `subscribe`/`unsubscribe` update
    /// the remembered subscriptions, which are re-sent after every reconnect instead of queued.
    public mutating func send(_ message: ClientMessage, now: Instant) throws(SignalingClientError) {
        if state == .stopped { throw .stopped }
        switch message {
        case .subscribe(let devices):
            subscriptions.formUnion(devices)
            if isReady { actions.append(.send(message)) }
            return
        case .unsubscribe(let devices):
            subscriptions.subtract(devices)
            if isReady { actions.append(.send(message)) }
            return
        default:
            break
        }
        if isReady {
            actions.append(.send(message))
            return
        }
        guard queue.count < configuration.sendQueueLimit else { throw .queueFull }
        queue.append(message)
    }

    /// Stops for good: closes any connection and never reconnects.
    public mutating func stop() {
        guard state != .stopped else { return }
        let wasConnected: Bool
        switch state {
        case .connecting, .awaitingHello, .awaitingWelcome, .ready: wasConnected = true
        default: wasConnected = false
        }
        state = .stopped
        queue.removeAll()
        if wasConnected { actions.append(.disconnect) }
        events.append(.disconnected(code: nil, reason: "stopped", reconnectIn: nil))
    }

    // MARK: Outputs

    /// The next thing the driver must do.
    public mutating func pollAction() -> Action? { actions.isEmpty ? nil : actions.removeFirst() }

    /// The next event for the user.
    public mutating func pollEvent() -> SignalingClientEvent? { events.isEmpty ? nil : events.removeFirst() }

    /// When `handle(timeout:)` is next due.
    public func pollTimeout() -> Instant? {
        switch state {
        case .waiting(let until): until
        case .connecting(let deadline), .awaitingHello(let deadline), .awaitingWelcome(let deadline): deadline
        case .idle, .ready, .stopped: nil
        }
    }

    // MARK: Helpers

    private mutating func beginAttempt(now: Instant) {
        attempt += 1
        state = .connecting(deadline: now + configuration.handshakeTimeout)
        actions.append(.connect(attempt: attempt))
    }

    private mutating func fail(_ reason: String, now: Instant) {
        actions.append(.disconnect)
        scheduleReconnect(code: nil, reason: reason, now: now)
    }

    private mutating func scheduleReconnect(code: UInt16?, reason: String, now: Instant) {
        let delay = configuration.backoff.delay(attempt: max(1, attempt), using: &random)
        state = .waiting(until: now + delay)
        events.append(.disconnected(code: code, reason: reason, reconnectIn: delay))
    }
}
