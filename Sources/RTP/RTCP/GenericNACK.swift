import WireKit

/// A generic NACK (RTPFB PT 205, FMT 1, RFC 4585 §6.2.1): sequence numbers the receiver lacks.
public struct GenericNACK: Equatable, Sendable {
    /// The SSRC of the packet sender (the receiver asking).
    public var senderSSRC: UInt32
    /// The media source whose packets are missing.
    public var mediaSSRC: UInt32
    /// The missing sequence numbers, in the order written.
    public var lostSequenceNumbers: [UInt16]

    /// A NACK from `senderSSRC` about `mediaSSRC` listing `lost`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lost: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.lostSequenceNumbers = lost
    }

    /// The FCI as (PID, BLP) pairs covering `lostSequenceNumbers`.
    public var pairs: [(pid: UInt16, blp: UInt16)] {
        var out: [(pid: UInt16, blp: UInt16)] = []
        for seq in lostSequenceNumbers {
            if let last = out.last {
                let delta = seq &- last.pid
                if delta >= 1 && delta <= 16 {
                    out[out.count - 1].blp |= 1 << (delta - 1)
                    continue
                }
                if delta == 0 { continue }
            }
            out.append((seq, 0))
        }
        return out
    }

    init(body r: inout ByteReader) throws(RTPParseError) {
        senderSSRC = try r.u32()
        mediaSSRC = try r.u32()
        var lost: [UInt16] = []
        while r.remaining >= 4 {
            let pid = try r.u16()
            let blp = try r.u16()
            lost.append(pid)
            for bit in 0..<16 where blp & (1 << bit) != 0 { lost.append(pid &+ UInt16(bit + 1)) }
        }
        lostSequenceNumbers = lost
    }

    func writeBody(to w: inout ByteWriter) {
        w.writeUInt32(senderSSRC)
        w.writeUInt32(mediaSSRC)
        for p in pairs {
            w.writeUInt16(p.pid)
            w.writeUInt16(p.blp)
        }
    }
}
