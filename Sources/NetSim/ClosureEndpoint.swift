import WireKit

/// A toy endpoint for tests and tools: an outbox, one timer and two closures.
///
/// `send` queues datagrams; `timer` is the deadline reported to the simulator; `onDatagram`
/// and `onTimeout` run when the simulator calls in (they get the endpoint itself, so they
/// need not capture it). With `recordsReceived` every arriving datagram is kept in `received`.
public final class ClosureEndpoint: SimulatedEndpoint {
    /// A datagram as it arrived.
    public struct Received: Sendable, Equatable {
        /// The payload.
        public var payload: [UInt8]
        /// Who sent it (after NAT translation).
        public var source: TransportAddress
        /// The local address it arrived at.
        public var destination: TransportAddress
        /// Virtual arrival time.
        public var time: Instant
    }

    /// Called for every arriving datagram.
    public var onDatagram: ((ClosureEndpoint, Received) -> Void)?
    /// Called when virtual time reaches `timer` (which is cleared first).
    public var onTimeout: ((ClosureEndpoint, Instant) -> Void)?
    /// The deadline reported to the simulator (nil: none).
    public var timer: Instant?
    /// Whether arriving datagrams are appended to `received`.
    public var recordsReceived: Bool
    /// Datagrams received so far (when `recordsReceived`).
    public private(set) var received: [Received] = []
    /// How many datagrams arrived (always counted).
    public private(set) var receivedCount = 0

    private var outbox: [Transmit] = []
    private var outboxHead = 0

    /// Creates an endpoint; the closures may be set later.
    public init(recordsReceived: Bool = true,
                onDatagram: ((ClosureEndpoint, Received) -> Void)? = nil,
                onTimeout: ((ClosureEndpoint, Instant) -> Void)? = nil) {
        self.recordsReceived = recordsReceived
        self.onDatagram = onDatagram
        self.onTimeout = onTimeout
    }

    /// Queues a datagram for the simulator to pick up.
    public func send(_ payload: [UInt8], from source: TransportAddress, to destination: TransportAddress) {
        outbox.append(Transmit(source: source, destination: destination, payload: payload))
    }

    /// Forgets the recorded datagrams.
    public func clearReceived() { received.removeAll() }

    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        let item = Received(payload: datagram, source: source, destination: destination, time: now)
        receivedCount += 1
        if recordsReceived { received.append(item) }
        onDatagram?(self, item)
    }

    public func handle(timeout now: Instant) {
        guard let deadline = timer, deadline <= now else { return }
        timer = nil
        onTimeout?(self, now)
    }

    public func pollTransmit() -> Transmit? {
        guard outboxHead < outbox.count else { return nil }
        let next = outbox[outboxHead]
        outboxHead += 1
        if outboxHead == outbox.count {
            outbox.removeAll(keepingCapacity: true)
            outboxHead = 0
        }
        return next
    }

    public func pollTimeout() -> Instant? { timer }
}
