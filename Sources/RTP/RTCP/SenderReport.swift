import WireKit

/// An RTCP sender report (PT 200, RFC 3550 §6.4.1).
public struct SenderReport: Equatable, Sendable {
    /// The sender's SSRC.
    public var ssrc: UInt32
    /// The 64-bit NTP timestamp when the report was made.
    public var ntpTimestamp: UInt64
    /// The RTP timestamp that corresponds to `ntpTimestamp`.
    public var rtpTimestamp: UInt32
    /// Packets sent since the stream started.
    public var packetCount: UInt32
    /// Payload octets sent since the stream started.
    public var octetCount: UInt32
    /// Reception reports about sources this sender hears.
    public var reports: [ReportBlock]

    /// A sender report with the given fields.
    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32,
                octetCount: UInt32, reports: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    init(count: Int, body r: inout ByteReader) throws(RTPParseError) {
        ssrc = try r.u32()
        ntpTimestamp = try r.u64()
        rtpTimestamp = try r.u32()
        packetCount = try r.u32()
        octetCount = try r.u32()
        var reports: [ReportBlock] = []
        for _ in 0..<count { reports.append(try ReportBlock(from: &r)) }
        self.reports = reports
        // Profile-specific extensions may follow; they are ignored.
    }

    func writeBody(to w: inout ByteWriter) {
        w.writeUInt32(ssrc)
        w.writeUInt64(ntpTimestamp)
        w.writeUInt32(rtpTimestamp)
        w.writeUInt32(packetCount)
        w.writeUInt32(octetCount)
        for b in reports { b.write(to: &w) }
    }
}
