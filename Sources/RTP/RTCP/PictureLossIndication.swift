import WireKit

/// A picture loss indication (PSFB PT 206, FMT 1, RFC 4585 §6.3.1): the receiver wants a keyframe.
public struct PictureLossIndication: Equatable, Sendable {
    /// The SSRC of the packet sender (the receiver asking).
    public var senderSSRC: UInt32
    /// The video source that should send a keyframe.
    public var mediaSSRC: UInt32

    /// A PLI from `senderSSRC` about `mediaSSRC`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    init(body r: inout ByteReader) throws(RTPParseError) {
        senderSSRC = try r.u32()
        mediaSSRC = try r.u32()
    }

    func writeBody(to w: inout ByteWriter) {
        w.writeUInt32(senderSSRC)
        w.writeUInt32(mediaSSRC)
    }
}
