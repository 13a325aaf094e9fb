import WireKit

/// An RTCP receiver report (PT 201, RFC 3550 §6.4.2).
public struct ReceiverReport: Equatable, Sendable {
    /// The reporter's SSRC.
    public var ssrc: UInt32
    /// Reception reports, one per source heard.
    public var reports: [ReportBlock]

    /// A receiver report from `ssrc` with `reports`.
    public init(ssrc: UInt32, reports: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    init(count: Int, body r: inout ByteReader) throws(RTPParseError) {
        ssrc = try r.u32()
        var reports: [ReportBlock] = []
        for _ in 0..<count { reports.append(try ReportBlock(from: &r)) }
        self.reports = reports
    }

    func writeBody(to w: inout ByteWriter) {
        w.writeUInt32(ssrc)
        for b in reports { b.write(to: &w) }
    }
}
