import WireKit

/// One RTCP packet of a compound packet (RFC 3550 §6, RFC 4585 feedback, RFC 5506 reduced size).
public enum RTCPPacket: Equatable, Sendable {
    /// A sender report (PT 200).
    case senderReport(SenderReport)
    /// A receiver report (PT 201).
    case receiverReport(ReceiverReport)
    /// A source description (PT 202).
    case sourceDescription(SourceDescription)
    /// A goodbye (PT 203).
    case goodbye(Goodbye)
    /// A generic NACK (PT 205, FMT 1).
    case nack(GenericNACK)
    /// A picture loss indication (PT 206, FMT 1).
    case pli(PictureLossIndication)
    /// Any other type or feedback format (XR, REMB, TWCC…), kept raw. APP (PT 204) is skipped.
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    /// The largest compound packet accepted (a sanity cap on hostile input).
    public static let maxPackets = 64

    /// Parses a compound (or reduced-size, RFC 5506) RTCP packet into its parts.
    ///
    /// Every part's length must fit the bytes present; padding is only honoured on the last part.
    public static func parseCompound(_ bytes: [UInt8]) throws(RTPParseError) -> [RTCPPacket] {
        var out: [RTCPPacket] = []
        var r = ByteReader(bytes)
        guard !bytes.isEmpty else { throw .truncated(needed: 4, available: 0) }
        while !r.isAtEnd {
            guard out.count < maxPackets else { throw .malformed("more than \(maxPackets) RTCP packets in one datagram") }
            let b0 = try r.u8()
            let pt = try r.u8()
            let words = try r.u16()
            guard b0 >> 6 == 2 else { throw .badVersion(b0 >> 6) }
            let count = b0 & 0x1F
            let bodyLength = Int(words) * 4
            guard bodyLength <= r.remaining else {
                throw .badLength("packet type \(pt) claims \(bodyLength) bytes, \(r.remaining) left")
            }
            var bodyBytes = try r.bytes(bodyLength)
            if b0 & 0x20 != 0 {
                guard r.isAtEnd else { throw .badPadding(count: -1) }
                guard let pad = bodyBytes.last, pad > 0, Int(pad) <= bodyBytes.count else {
                    throw .badPadding(count: Int(bodyBytes.last ?? 0))
                }
                bodyBytes.removeLast(Int(pad))
            }
            var body = ByteReader(bodyBytes)
            switch pt {
            case 200: out.append(.senderReport(try SenderReport(count: Int(count), body: &body)))
            case 201: out.append(.receiverReport(try ReceiverReport(count: Int(count), body: &body)))
            case 202: out.append(.sourceDescription(try SourceDescription(count: Int(count), body: &body)))
            case 203: out.append(.goodbye(try Goodbye(count: Int(count), body: &body)))
            case 204: continue // APP: skipped
            case 205 where count == 1: out.append(.nack(try GenericNACK(body: &body)))
            case 206 where count == 1: out.append(.pli(try PictureLossIndication(body: &body)))
            default: out.append(.other(packetType: pt, count: count, body: bodyBytes))
            }
        }
        return out
    }

    /// Serialises `packets` as one compound RTCP packet.
    public static func serializeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        for p in packets { p.write(to: &w) }
        return w.bytes
    }

    /// This packet alone, in wire format.
    public func serialized() -> [UInt8] { RTCPPacket.serializeCompound([self]) }

    func write(to w: inout ByteWriter) {
        let start = w.count
        w.writeUInt32(0) // header, patched below
        let count: Int
        let pt: UInt8
        switch self {
        case .senderReport(let sr):
            precondition(sr.reports.count <= 31, "at most 31 report blocks")
            sr.writeBody(to: &w); count = sr.reports.count; pt = 200
        case .receiverReport(let rr):
            precondition(rr.reports.count <= 31, "at most 31 report blocks")
            rr.writeBody(to: &w); count = rr.reports.count; pt = 201
        case .sourceDescription(let sd):
            precondition(sd.chunks.count <= 31, "at most 31 SDES chunks")
            sd.writeBody(to: &w); count = sd.chunks.count; pt = 202
        case .goodbye(let bye):
            precondition(bye.ssrcs.count <= 31, "at most 31 BYE sources")
            bye.writeBody(to: &w); count = bye.ssrcs.count; pt = 203
        case .nack(let n): n.writeBody(to: &w); count = 1; pt = 205
        case .pli(let p): p.writeBody(to: &w); count = 1; pt = 206
        case .other(let type, let c, let body):
            w.writeBytes(body); w.pad(to: 4); count = Int(c & 0x1F); pt = type
        }
        let words = (w.count - start) / 4 - 1
        w.setUInt32(UInt32(0x80 | count) << 24 | UInt32(pt) << 16 | UInt32(words), at: start)
    }

    /// True when `bytes` look like RTCP rather than RTP on a muxed port (RFC 5761 §4: PT 192–223).
    public static func isRTCP(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && (192...223).contains(bytes[1])
    }
}
