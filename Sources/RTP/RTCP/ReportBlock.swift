import WireKit

/// A reception report block (RFC 3550 §6.4.1), carried in SR and RR packets.
public struct ReportBlock: Equatable, Sendable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed; duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | highest).
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from `ssrc` (0 if none).
    public var lastSenderReport: UInt32
    /// Delay since that SR was received, in 1/65536 seconds.
    public var delaySinceLastSenderReport: UInt32

    /// A report block with the given fields.
    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    static let size = 24

    init(from r: inout ByteReader) throws(RTPParseError) {
        ssrc = try r.u32()
        fractionLost = try r.u8()
        let lost = try r.u24()
        // Sign-extend the 24-bit field.
        cumulativeLost = lost & 0x80_0000 != 0 ? Int32(bitPattern: lost | 0xFF00_0000) : Int32(lost)
        extendedHighestSequence = try r.u32()
        jitter = try r.u32()
        lastSenderReport = try r.u32()
        delaySinceLastSenderReport = try r.u32()
    }

    func write(to w: inout ByteWriter) {
        w.writeUInt32(ssrc)
        w.writeUInt8(fractionLost)
        let clamped = max(-0x80_0000, min(0x7F_FFFF, cumulativeLost))
        w.writeUInt24(UInt32(bitPattern: clamped) & 0xFF_FFFF)
        w.writeUInt32(extendedHighestSequence)
        w.writeUInt32(jitter)
        w.writeUInt32(lastSenderReport)
        w.writeUInt32(delaySinceLastSenderReport)
    }
}
