/// One `a=` attribute, typed: the attributes JSEP, BUNDLE, ICE, DTLS, SCTP and RTP use, and
/// ``other(name:value:)`` for everything else (kept verbatim, in order).
///
/// Build attributes with these cases and wrap them in ``SDPAttributeLine`` to put them in a
/// description; parsing produces ``SDPAttributeLine``s that keep the exact received text.
public enum SDPAttribute: Hashable, Sendable {
    /// `a=group:` (RFC 5888, BUNDLE per RFC 8843).
    case group(SDPGroup)
    /// `a=msid-semantic:` (WebRTC session attribute).
    case msidSemantic(SDPMSIDSemantic)
    /// `a=ice-lite` (RFC 8839 §5.3).
    case iceLite
    /// `a=ice-options:` tokens, e.g. `trickle` (RFC 8839 §5.6).
    case iceOptions([String])
    /// `a=ice-ufrag:` (RFC 8839 §5.4).
    case iceUfrag(String)
    /// `a=ice-pwd:` (RFC 8839 §5.4).
    case icePwd(String)
    /// `a=fingerprint:` (RFC 8122).
    case fingerprint(SDPFingerprint)
    /// `a=setup:` (RFC 4145 / 8842).
    case setup(SDPSetupRole)
    /// `a=mid:` (RFC 5888).
    case mid(String)
    /// `a=candidate:` (RFC 8839 §5.1).
    case candidate(SDPCandidate)
    /// `a=end-of-candidates` (RFC 8840).
    case endOfCandidates
    /// `a=sctp-port:` (RFC 8841).
    case sctpPort(UInt16)
    /// `a=max-message-size:` (RFC 8841), in bytes; 0 means no limit.
    case maxMessageSize(UInt64)
    /// `a=rtpmap:` (RFC 8866 §6.6).
    case rtpmap(SDPRTPMap)
    /// `a=fmtp:` (RFC 8866 §6.15).
    case fmtp(SDPFormatParameters)
    /// `a=rtcp-fb:` (RFC 4585).
    case rtcpFeedback(SDPRTCPFeedback)
    /// `a=rtcp-mux` (RFC 5761).
    case rtcpMux
    /// `a=rtcp-rsize` (RFC 5506).
    case rtcpReducedSize
    /// `a=extmap:` (RFC 8285).
    case extmap(SDPExtMap)
    /// `a=msid:` (RFC 8830).
    case msid(SDPMSID)
    /// `a=ssrc:` (RFC 5576).
    case ssrc(SDPSSRCAttribute)
    /// `a=ssrc-group:` (RFC 5576).
    case ssrcGroup(SDPSSRCGroup)
    /// `a=sendrecv` / `sendonly` / `recvonly` / `inactive`.
    case direction(SDPDirection)
    /// Any other attribute: `a=<name>` (value nil) or `a=<name>:<value>`, kept verbatim.
    case other(name: String, value: String?)

    /// The attribute name (the text between `a=` and the first `:`).
    public var name: String {
        switch self {
        case .group: return "group"
        case .msidSemantic: return "msid-semantic"
        case .iceLite: return "ice-lite"
        case .iceOptions: return "ice-options"
        case .iceUfrag: return "ice-ufrag"
        case .icePwd: return "ice-pwd"
        case .fingerprint: return "fingerprint"
        case .setup: return "setup"
        case .mid: return "mid"
        case .candidate: return "candidate"
        case .endOfCandidates: return "end-of-candidates"
        case .sctpPort: return "sctp-port"
        case .maxMessageSize: return "max-message-size"
        case .rtpmap: return "rtpmap"
        case .fmtp: return "fmtp"
        case .rtcpFeedback: return "rtcp-fb"
        case .rtcpMux: return "rtcp-mux"
        case .rtcpReducedSize: return "rtcp-rsize"
        case .extmap: return "extmap"
        case .msid: return "msid"
        case .ssrc: return "ssrc"
        case .ssrcGroup: return "ssrc-group"
        case .direction(let d): return d.rawValue
        case .other(let name, _): return name
        }
    }

    /// The canonical attribute value (nil for flag attributes).
    public var value: String? {
        switch self {
        case .group(let g): return g.description
        case .msidSemantic(let m): return m.description
        case .iceLite, .endOfCandidates, .rtcpMux, .rtcpReducedSize, .direction: return nil
        case .iceOptions(let o): return o.joined(separator: " ")
        case .iceUfrag(let s), .icePwd(let s), .mid(let s): return s
        case .fingerprint(let f): return f.description
        case .setup(let s): return s.rawValue
        case .candidate(let c): return c.value
        case .sctpPort(let p): return String(p)
        case .maxMessageSize(let m): return String(m)
        case .rtpmap(let r): return r.description
        case .fmtp(let f): return f.description
        case .rtcpFeedback(let r): return r.description
        case .extmap(let e): return e.description
        case .msid(let m): return m.description
        case .ssrc(let s): return s.description
        case .ssrcGroup(let g): return g.description
        case .other(_, let value): return value
        }
    }
}
