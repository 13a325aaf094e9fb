import WireKit

/// The last sent packets of one source, kept to answer NACKs (RFC 4585).
///
/// A fixed ring indexed by sequence number; a NACK for a packet that has been overwritten
/// or is older than `maxAge` gets nothing back.
public struct RetransmissionBuffer: Sendable {
    private var slots: [(packet: RTPPacket, sent: Instant)?]
    /// How long a packet may still be resent after it was first sent.
    public var maxAge: Duration
    /// Packets resent so far.
    public private(set) var retransmitted: Int = 0

    /// A buffer holding the last `capacity` packets (rounded up to a power of two).
    public init(capacity: Int = 1024, maxAge: Duration = .seconds(1)) {
        var size = 1
        while size < max(1, capacity) { size <<= 1 }
        slots = Array(repeating: nil, count: min(size, 65536))
        self.maxAge = maxAge
    }

    /// Stores a packet just sent at `now`.
    public mutating func insert(_ packet: RTPPacket, now: Instant) {
        slots[Int(packet.sequenceNumber) & (slots.count - 1)] = (packet, now)
    }

    /// The stored packet with `sequenceNumber`, if still held and young enough at `now`.
    public func packet(sequenceNumber: UInt16, now: Instant) -> RTPPacket? {
        guard let slot = slots[Int(sequenceNumber) & (slots.count - 1)],
              slot.packet.sequenceNumber == sequenceNumber,
              now - slot.sent <= maxAge else { return nil }
        return slot.packet
    }

    /// The packets to resend for `nack` at `now` (those still held), counted as retransmitted.
    public mutating func handle(nack: GenericNACK, now: Instant) -> [RTPPacket] {
        var out: [RTPPacket] = []
        for seq in nack.lostSequenceNumbers {
            if let p = packet(sequenceNumber: seq, now: now), p.ssrc == nack.mediaSSRC {
                out.append(p)
            }
        }
        retransmitted += out.count
        return out
    }
}
