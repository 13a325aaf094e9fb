import WireKit

/// The receiving half of the toy bulk transfer: checks each datagram against
/// `ToySender.payload` and acknowledges it with its 4-byte sequence number.
public final class ToyReceiver: SimulatedEndpoint {
    /// Distinct datagrams received intact.
    public private(set) var uniqueReceived = 0
    /// Intact datagrams received again (retransmissions or link duplicates).
    public private(set) var duplicates = 0
    /// Datagrams whose content did not match their sequence number.
    public private(set) var corrupt = 0
    /// Payload bytes of distinct intact datagrams.
    public private(set) var goodputBytes = 0

    private var seen: [Bool] = []
    private var outbox: [Transmit] = []
    private var outboxHead = 0

    /// Creates a receiver.
    public init() {}

    /// True when every sequence number below `total` arrived intact.
    public func hasAll(_ total: Int) -> Bool {
        uniqueReceived == total && (total == 0 || (seen.count >= total && !seen[0..<total].contains(false)))
    }

    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        guard let sequence = ToySender.sequence(ofPayload: datagram), sequence < 1 << 24 else {
            corrupt += 1
            return
        }
        if sequence >= seen.count { seen.append(contentsOf: repeatElement(false, count: sequence + 1 - seen.count)) }
        if seen[sequence] {
            duplicates += 1
        } else {
            seen[sequence] = true
            uniqueReceived += 1
            goodputBytes += datagram.count
        }
        outbox.append(Transmit(source: destination, destination: source, payload: Array(datagram[0..<4])))
    }

    public func handle(timeout now: Instant) {}

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

    public func pollTimeout() -> Instant? { nil }
}
