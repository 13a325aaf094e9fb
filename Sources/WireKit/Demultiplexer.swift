/// What a datagram arriving on a shared WebRTC port is, by its first byte (RFC 7983, updated
/// by RFC 9443 for TURN ChannelData).
public enum PacketKind: Sendable, Equatable {
    /// STUN (first byte 0–3): ICE checks, TURN control.
    case stun
    /// ZRTP (16–19); unused by WebRTC, dropped.
    case zrtp
    /// DTLS records (20–63).
    case dtls
    /// TURN ChannelData (64–79).
    case turnChannelData
    /// RTP or RTCP (128–191); see ``isRTCP(_:)`` to tell them apart.
    case rtpOrRTCP
    /// Anything else: drop it.
    case unknown

    /// Classifies a datagram. Empty datagrams are `.unknown`.
    @inlinable public static func classify<C: Collection>(_ datagram: C) -> PacketKind where C.Element == UInt8 {
        guard let first = datagram.first else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannelData
        case 128...191: return .rtpOrRTCP
        default: return .unknown
        }
    }

    /// For an RTP/RTCP datagram: true when it is RTCP (payload type 192–223, RFC 5761 §4).
    @inlinable public static func isRTCP<C: Collection>(_ datagram: C) -> Bool where C.Element == UInt8 {
        guard datagram.count >= 2 else { return false }
        let pt = datagram[datagram.index(after: datagram.startIndex)]
        return (192...223).contains(pt)
    }
}
