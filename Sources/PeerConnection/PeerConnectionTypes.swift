import ICE
import WireKit

/// W3C `RTCSdpType`: what a session description is in the offer/answer exchange.
public enum SDPType: String, Hashable, Sendable, Codable {
    /// An offer (JSEP §5.2).
    case offer
    /// A provisional answer.
    case pranswer
    /// A final answer (JSEP §5.3).
    case answer
    /// Undo the pending offer (JSEP §4.1.8.2); carries no SDP.
    case rollback
}

/// W3C `RTCSessionDescriptionInit`: a type and SDP text, the shape browsers serialize to
/// JSON as `{"type":"offer","sdp":"…"}`.
public struct SessionDescriptionInit: Hashable, Sendable, Codable {
    /// The description's role in the exchange.
    public var type: SDPType
    /// The SDP text (empty for rollback).
    public var sdp: String
    /// A description.
    public init(type: SDPType, sdp: String = "") {
        self.type = type
        self.sdp = sdp
    }
}

/// W3C `RTCIceCandidateInit`: one trickled candidate, or end-of-candidates when `candidate`
/// is empty. Browsers serialize `RTCIceCandidate` to exactly these JSON keys.
public struct ICECandidateInit: Hashable, Sendable, Codable {
    /// The attribute value `candidate:…` (empty: end of candidates).
    public var candidate: String
    /// The `a=mid` of the media section the candidate belongs to.
    public var sdpMid: String?
    /// The index of that media section.
    public var sdpMLineIndex: Int?
    /// The ICE ufrag the candidate belongs to (its generation).
    public var usernameFragment: String?
    /// A candidate.
    public init(candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil, usernameFragment: String? = nil) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
    }
}

/// W3C `RTCSignalingState`.
public enum SignalingState: String, Hashable, Sendable {
    /// No offer/answer exchange in progress.
    case stable
    /// A local offer was applied; waiting for the answer.
    case haveLocalOffer = "have-local-offer"
    /// A remote offer was applied; an answer is due.
    case haveRemoteOffer = "have-remote-offer"
    /// A local provisional answer was applied.
    case haveLocalPranswer = "have-local-pranswer"
    /// A remote provisional answer was applied.
    case haveRemotePranswer = "have-remote-pranswer"
    /// The connection is closed.
    case closed
}

/// W3C `RTCPeerConnectionState`, derived from the ICE and DTLS transport states.
public enum PeerConnectionState: String, Hashable, Sendable {
    /// Transports new (or closed).
    case new
    /// ICE checking or DTLS handshaking.
    case connecting
    /// ICE connected and DTLS connected.
    case connected
    /// ICE lost consent for a while; may recover.
    case disconnected
    /// ICE or DTLS failed.
    case failed
    /// `close()` was called.
    case closed
}

/// Identifies one data channel of a ``PeerConnection`` for its whole life. (The SCTP stream
/// id is W3C `id`; it is unknown until the DTLS role is, and is reused after a close, so it
/// cannot name a channel object.)
public struct DataChannelHandle: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A per-connection counter.
    public let rawValue: Int
    /// A handle from its number.
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "dc#\(rawValue)" }
}

/// W3C `RTCDataChannelInit`.
public struct DataChannelInit: Hashable, Sendable {
    /// Deliver in order (default true).
    public var ordered: Bool
    /// Give up on a message after this long (ms); exclusive with `maxRetransmits`.
    public var maxPacketLifeTime: Int?
    /// Give up on a message after this many retransmissions.
    public var maxRetransmits: Int?
    /// Subprotocol name.
    public var `protocol`: String
    /// Created by the application on both sides with `id` (no DCEP).
    public var negotiated: Bool
    /// The stream id of a negotiated channel.
    public var id: UInt16?
    /// Options; the defaults give a reliable ordered channel.
    public init(ordered: Bool = true, maxPacketLifeTime: Int? = nil, maxRetransmits: Int? = nil, protocol: String = "",
                negotiated: Bool = false, id: UInt16? = nil) {
        self.ordered = ordered
        self.maxPacketLifeTime = maxPacketLifeTime
        self.maxRetransmits = maxRetransmits
        self.protocol = `protocol`
        self.negotiated = negotiated
        self.id = id
    }
}

/// W3C `RTCDataChannelState`.
public enum DataChannelState: String, Hashable, Sendable {
    /// Waiting for the transport (or the DCEP exchange).
    case connecting
    /// Messages can be sent.
    case open
    /// Closing (stream reset in progress).
    case closing
    /// Closed.
    case closed
}

/// A snapshot of one data channel's W3C attributes.
public struct DataChannelInfo: Hashable, Sendable {
    /// The handle.
    public var handle: DataChannelHandle
    /// W3C `label`.
    public var label: String
    /// W3C `protocol`.
    public var `protocol`: String
    /// W3C `id` (nil until the DTLS role is known).
    public var id: UInt16?
    /// W3C `ordered`.
    public var ordered: Bool
    /// W3C `maxRetransmits`.
    public var maxRetransmits: Int?
    /// W3C `maxPacketLifeTime` (ms).
    public var maxPacketLifeTime: Int?
    /// W3C `negotiated`.
    public var negotiated: Bool
    /// W3C `readyState`.
    public var readyState: DataChannelState
    /// W3C `bufferedAmount`.
    public var bufferedAmount: Int
    /// W3C `bufferedAmountLowThreshold`.
    public var bufferedAmountLowThreshold: Int
}
