import DataChannel
import ICE
import Media
import RTP
import WireKit

/// Something a ``PeerConnection`` reports through `pollEvent()`. Each case is named after the
/// W3C event it stands for (`icecandidate`, `connectionstatechange`, `datachannel`, and the
/// `RTCDataChannel` events `open`, `message`, `bufferedamountlow`, `closing`, `close`).
public enum PeerConnectionEvent: Sendable, Equatable {
    /// `icecandidate`: a local candidate to trickle; nil means end-of-candidates.
    case iceCandidate(ICECandidateInit?)
    /// `icecandidateerror`: a STUN/TURN server failed (`url`, error code per W3C, text).
    case iceCandidateError(url: String, errorCode: Int, errorText: String)
    /// `icegatheringstatechange`.
    case iceGatheringStateChange(ICEGatheringState)
    /// `iceconnectionstatechange`.
    case iceConnectionStateChange(ICEConnectionState)
    /// `connectionstatechange`.
    case connectionStateChange(PeerConnectionState)
    /// `signalingstatechange`.
    case signalingStateChange(SignalingState)
    /// `negotiationneeded`: call `setLocalDescription()` and signal the offer.
    case negotiationNeeded
    /// `datachannel`: the peer opened a channel (announced with DCEP).
    case dataChannel(DataChannelHandle)
    /// `selectedcandidatepairchange` on the ICE transport.
    case selectedCandidatePairChange(local: Candidate, remote: Candidate)
    /// `RTCDataChannel` `open`.
    case open(DataChannelHandle)
    /// `RTCDataChannel` `message`.
    case message(DataChannelHandle, DataChannelMessage)
    /// `RTCDataChannel` `bufferedamountlow`.
    case bufferedAmountLow(DataChannelHandle)
    /// `RTCDataChannel` `closing`.
    case closing(DataChannelHandle)
    /// `RTCDataChannel` `close`.
    case close(DataChannelHandle)
    /// The SCTP association ended (peer closed, abort, or DTLS closed): no more data can flow.
    /// Not a W3C event; W3C shows it only as every channel closing.
    case transportClosed(reason: String)
    /// `track`: the peer sends media on a transceiver (fired by `setRemoteDescription`).
    case track(TrackEvent)
    /// A received Opus RTP packet of an audio transceiver (feed a jitter buffer, e.g. `OpusReceiver`).
    case audioPacket(TransceiverHandle, RTPPacket)
    /// A received RFC 4733 telephone-event RTP packet of an audio transceiver (feed a `DTMFReceiver`).
    case telephoneEvent(TransceiverHandle, RTPPacket)
    /// A complete VP8 frame received on a video transceiver (decode it with `VP8Decoder`).
    case videoFrame(TransceiverHandle, VP8EncodedFrame)
    /// The peer asked for a keyframe (PLI or FIR) on a video transceiver we send on.
    case keyframeRequested(TransceiverHandle)
}

/// Why a ``PeerConnection`` call was refused, after the W3C `DOMException` names.
public enum PeerConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `InvalidStateError`: the call does not fit the signaling or connection state.
    case invalidState(String)
    /// `InvalidAccessError` / `OperationError` on a description: malformed or unusable SDP.
    case invalidDescription(String)
    /// `InvalidModificationError`: the SDP given to `setLocalDescription` is not the one created.
    case invalidModification
    /// `OperationError` on `addIceCandidate`: the candidate cannot be parsed or used.
    case invalidCandidate(String)
    /// `TypeError` / `OperationError` on data channel calls.
    case dataChannel(String)
    /// `OperationError`: DTLS could not be set up.
    case operation(String)

    public var description: String {
        switch self {
        case .invalidState(let s): return "InvalidStateError: \(s)"
        case .invalidDescription(let s): return "invalid session description: \(s)"
        case .invalidModification: return "InvalidModificationError: SDP differs from the last created offer/answer"
        case .invalidCandidate(let s): return "invalid ICE candidate: \(s)"
        case .dataChannel(let s): return "data channel: \(s)"
        case .operation(let s): return "OperationError: \(s)"
        }
    }
}
