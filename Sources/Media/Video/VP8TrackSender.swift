import RTP
import WireKit

/// The send side of a VP8 screen track: encoder, RFC 7741 payloader, NACK answers, keyframe on PLI.
public final class VP8TrackSender {
    /// The encoder.
    public let encoder: VP8Encoder
    /// The payloader (its SSRC is the track's).
    public private(set) var payloader: VP8Payloader
    /// Packets kept to answer NACKs.
    public private(set) var retransmissions = RetransmissionBuffer(capacity: 1024)
    /// Keyframes sent because a PLI asked.
    public private(set) var keyframesOnRequest = 0
    private var keyframeRequested = false
    private let frameRate: Int

    /// A sender of `width`×`height` at `frameRate` fps and `bitrateKbps`, on `ssrc`.
    public init(ssrc: UInt32, payloadType: UInt8 = 96, width: Int, height: Int, frameRate: Int = 30,
                bitrateKbps: Int = 1000, sequenceNumber: UInt16 = 0) throws(VP8Error) {
        encoder = try VP8Encoder(width: width, height: height, frameRate: frameRate, bitrateKbps: bitrateKbps)
        payloader = VP8Payloader(ssrc: ssrc, payloadType: payloadType, sequenceNumber: sequenceNumber)
        self.frameRate = frameRate
    }

    /// Encodes and packetizes frame number `index` (timestamp = index × 90000 / frameRate).
    public func send(_ frame: VideoFrame, index: Int, now: Instant) throws(VP8Error) -> (packets: [RTPPacket], isKeyframe: Bool) {
        if keyframeRequested { encoder.requestKeyframe() }
        guard let encoded = try encoder.encode(frame) else { return ([], false) }
        if keyframeRequested && encoded.isKeyframe {
            keyframeRequested = false
            keyframesOnRequest += 1
        }
        let ts = UInt32(truncatingIfNeeded: index &* 90000 / max(1, frameRate))
        let packets = payloader.packetize(encoded.data, timestamp: ts)
        for p in packets { retransmissions.insert(p, now: now) }
        return (packets, encoded.isKeyframe)
    }

    /// Handles RTCP feedback: a PLI for our SSRC forces a keyframe; a NACK returns packets to resend.
    public func handle(rtcp packets: [RTCPPacket], now: Instant) -> [RTPPacket] {
        var resend: [RTPPacket] = []
        for p in packets {
            switch p {
            case .pli(let pli) where pli.mediaSSRC == payloader.ssrc:
                keyframeRequested = true
            case .nack(let nack) where nack.mediaSSRC == payloader.ssrc:
                resend += retransmissions.handle(nack: nack, now: now)
            default:
                break
            }
        }
        return resend
    }
}
