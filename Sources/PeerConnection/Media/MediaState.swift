import RTP
import SRTP
import WireKit

/// The media half of a ``PeerConnection``: transceivers, SRTP, the BUNDLE router and RTCP timing.
/// Kept in one stored property so the data-channel core stays as it was.
final class MediaState {
    var transceivers: [Transceiver] = []
    var nextHandle = 0
    /// Every mid ever used on this connection (a recycled m-line gets a new one, JSEP §5.2.2).
    var usedMIDs: Set<String> = []
    var srtp: SRTPContext?
    var srtpFailed = false
    var router = RTPStreamRouter()
    var nextRTCP: Instant?
    var rtcpInterval: Duration = .seconds(1)
    var cname: String = ""
    /// Counters for datagrams the media path drops.
    var srtpErrors = 0
    var unroutable = 0
    var rtcpReceived = 0
    var rtcpSent = 0
    /// Largest VP8 RTP payload (DTLS MTU minus RTP header, extension and SRTP tag).
    var maxVideoPayload = 1100

    func transceiver(_ handle: TransceiverHandle) -> Transceiver? { transceivers.first { $0.handle == handle } }
    func transceiver(mid: String) -> Transceiver? { transceivers.first { $0.mid == mid && !$0.stopped } }
    func sender(ssrc: UInt32) -> Transceiver? { transceivers.first { $0.localSSRC == ssrc } }
    func receiver(ssrc: UInt32) -> Transceiver? { transceivers.first { $0.remoteSSRC == ssrc } }

    /// Rebuilds the router from the negotiated transceivers.
    func rebuildRouter() {
        var r = RTPStreamRouter(midExtensionID: transceivers.compactMap(\.midExtensionID).first)
        for t in transceivers where !t.stopped {
            guard let mid = t.mid else { continue }
            if let pt = t.payloadType { r.add(mid: mid, payloadTypes: [pt] + (t.telephoneEventPayloadType.map { [$0] } ?? [])) }
            if let ssrc = t.remoteSSRC { r.bind(ssrc: ssrc, mid: mid) }
        }
        router = r
    }
}
