import WireKit

/// An RTCP goodbye (BYE, PT 203, RFC 3550 §6.6): sources leaving, with an optional reason.
public struct Goodbye: Equatable, Sendable {
    /// The sources leaving.
    public var ssrcs: [UInt32]
    /// Why they leave (at most 255 bytes of UTF-8).
    public var reason: String?

    /// A goodbye for `ssrcs`.
    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    init(count: Int, body r: inout ByteReader) throws(RTPParseError) {
        var ssrcs: [UInt32] = []
        for _ in 0..<count { ssrcs.append(try r.u32()) }
        self.ssrcs = ssrcs
        if r.remaining > 0 {
            let len = try r.u8()
            let bytes = try r.bytes(Int(len))
            reason = String(validating: bytes, as: UTF8.self)
        } else {
            reason = nil
        }
    }

    func writeBody(to w: inout ByteWriter) {
        let start = w.count
        for s in ssrcs { w.writeUInt32(s) }
        if let reason {
            let bytes = Array(reason.utf8.prefix(255))
            w.writeUInt8(UInt8(bytes.count))
            w.writeBytes(bytes)
            let used = w.count - start
            w.writeZeros((4 - used % 4) % 4)
        }
    }
}
