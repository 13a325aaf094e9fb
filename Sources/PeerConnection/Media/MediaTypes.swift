import RTP
import SDP

/// The kind of a media track (W3C `MediaStreamTrack.kind`).
public enum MediaKind: String, Hashable, Sendable {
    /// Voice: Opus at 48 kHz (RFC 7587).
    case audio
    /// Screen or camera: VP8 at 90 kHz (RFC 7741).
    case video

    var sdpKind: SDPMediaKind { self == .audio ? .audio : .video }
}

/// W3C `RTCRtpTransceiverDirection`.
public enum TransceiverDirection: String, Hashable, Sendable {
    /// Send and receive.
    case sendrecv
    /// Send only.
    case sendonly
    /// Receive only.
    case recvonly
    /// Neither.
    case inactive

    /// True when this side sends.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// True when this side receives.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction with sending turned on or off.
    func with(send: Bool) -> TransceiverDirection { TransceiverDirection(send: send, receive: receives) }
    /// The direction with receiving turned on or off.
    func with(receive: Bool) -> TransceiverDirection { TransceiverDirection(send: sends, receive: receive) }

    init(send: Bool, receive: Bool) {
        switch (send, receive) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    init(_ sdp: SDPDirection) {
        switch sdp {
        case .sendrecv: self = .sendrecv
        case .sendonly: self = .sendonly
        case .recvonly: self = .recvonly
        case .inactive: self = .inactive
        }
    }

    var sdp: SDPDirection {
        switch self {
        case .sendrecv: return .sendrecv
        case .sendonly: return .sendonly
        case .recvonly: return .recvonly
        case .inactive: return .inactive
        }
    }

    /// What the peer's direction means from our side (their sendonly is our recvonly).
    var reversed: TransceiverDirection { TransceiverDirection(send: receives, receive: sends) }
}

/// Identifies one transceiver of a ``PeerConnection`` for its whole life.
public struct TransceiverHandle: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A per-connection counter.
    public let rawValue: Int
    /// A handle from its number.
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "tr#\(rawValue)" }
}

/// The W3C `track` event: the peer sends media on a transceiver.
public struct TrackEvent: Hashable, Sendable {
    /// The transceiver that receives the track.
    public var transceiver: TransceiverHandle
    /// Audio or video.
    public var kind: MediaKind
    /// The transceiver's `mid`.
    public var mid: String
    /// The peer's stream ids (`a=msid` first field).
    public var streamIDs: [String]
    /// The peer's track id (`a=msid` second field), if given.
    public var trackID: String?
}

/// A snapshot of one transceiver's W3C attributes.
public struct TransceiverInfo: Hashable, Sendable {
    /// The handle.
    public var handle: TransceiverHandle
    /// Audio or video.
    public var kind: MediaKind
    /// W3C `mid` (nil until negotiated).
    public var mid: String?
    /// W3C `direction`: what the application asked for.
    public var direction: TransceiverDirection
    /// W3C `currentDirection`: what was negotiated (nil before).
    public var currentDirection: TransceiverDirection?
    /// The SSRC we send with.
    public var localSSRC: UInt32
    /// The peer's SSRC on this transceiver, once known.
    public var remoteSSRC: UInt32?
    /// The negotiated payload type (nil before negotiation).
    public var payloadType: UInt8?
    /// The negotiated RFC 4733 `telephone-event/48000` payload type of an audio transceiver
    /// (nil when the peer did not offer or accept it: no DTMF, W3C `canInsertDTMF` false).
    public var telephoneEventPayloadType: UInt8?
    /// True once ``PeerConnection/stopTransceiver(_:)`` was called or the m-line was rejected:
    /// it sends and receives nothing, and goes away when the exchange rejecting its m-line completes.
    public var stopped: Bool = false
}

/// A codec this stack speaks, as it appears in SDP.
struct MediaCodec: Hashable, Sendable {
    var payloadType: UInt8
    var name: String
    var clockRate: UInt32
    var channels: String?
    var fmtp: String?
    var feedback: [(type: String, parameter: String?)] {
        name == "VP8" ? [("nack", nil), ("nack", "pli"), ("ccm", "fir")] : []
    }

    static let opus = MediaCodec(payloadType: 111, name: "opus", clockRate: 48000, channels: "2",
                                 fmtp: "minptime=10;useinbandfec=1")
    static let vp8 = MediaCodec(payloadType: 96, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil)
    /// RFC 4733 DTMF events on the audio stream, at Opus's 48 kHz clock (as Chromium offers it).
    static let telephoneEvent = MediaCodec(payloadType: 101, name: "telephone-event", clockRate: 48000, channels: nil, fmtp: "0-15")

    static func preferred(for kind: MediaKind) -> MediaCodec { kind == .audio ? .opus : .vp8 }

    static func == (a: MediaCodec, b: MediaCodec) -> Bool {
        a.payloadType == b.payloadType && a.name == b.name && a.clockRate == b.clockRate
    }
    func hash(into h: inout Hasher) { h.combine(payloadType); h.combine(name) }
}

/// The RTP header extension we negotiate: the BUNDLE MID (RFC 8843 §15.2).
enum MediaExtension {
    static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"
    static let defaultMIDID: UInt8 = 4
}
