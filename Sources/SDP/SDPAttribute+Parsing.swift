extension SDPAttribute {
    /// Attribute names that never take a value.
    static let flagNames: Set<String> = [
        "ice-lite", "end-of-candidates", "rtcp-mux", "rtcp-rsize",
        "sendrecv", "sendonly", "recvonly", "inactive",
    ]

    /// Parses the attribute `name` with `value` (nil when the line had no `:`) into its typed
    /// form; unknown names become ``other(name:value:)``.
    public init(name: String, value: String?) throws(SDPAttributeValueError) {
        guard SDPScalars.isToken(Substring(name)) else {
            throw SDPAttributeValueError("attribute name must be a non-empty token")
        }
        if Self.flagNames.contains(name) {
            guard value == nil else { throw SDPAttributeValueError("a=\(name) takes no value") }
            switch name {
            case "ice-lite": self = .iceLite
            case "end-of-candidates": self = .endOfCandidates
            case "rtcp-mux": self = .rtcpMux
            case "rtcp-rsize": self = .rtcpReducedSize
            default:
                guard let d = SDPDirection(rawValue: name) else { preconditionFailure("flag list out of sync") }
                self = .direction(d)
            }
            return
        }
        guard let value else {
            switch name {
            case "group", "msid-semantic", "ice-options", "ice-ufrag", "ice-pwd", "fingerprint", "setup", "mid",
                 "candidate", "sctp-port", "max-message-size", "rtpmap", "fmtp", "rtcp-fb", "extmap", "msid",
                 "ssrc", "ssrc-group":
                throw SDPAttributeValueError("a=\(name) needs a value")
            default:
                self = .other(name: name, value: nil)
                return
            }
        }
        let v = Substring(value)
        switch name {
        case "group": self = .group(try SDPGroup(parsing: v))
        case "msid-semantic": self = .msidSemantic(try SDPMSIDSemantic(parsing: v))
        case "ice-options":
            let tokens = SDPScalars.fields(v)
            guard !tokens.isEmpty, tokens.allSatisfy(SDPScalars.isToken) else {
                throw SDPAttributeValueError("ice-options must be one or more tokens")
            }
            self = .iceOptions(tokens.map(String.init))
        case "ice-ufrag": self = .iceUfrag(try Self.iceCredential(v, what: "ice-ufrag"))
        case "ice-pwd": self = .icePwd(try Self.iceCredential(v, what: "ice-pwd"))
        case "fingerprint": self = .fingerprint(try SDPFingerprint(parsing: v))
        case "setup":
            guard let role = SDPSetupRole(rawValue: value) else {
                throw SDPAttributeValueError("setup must be active, passive, actpass or holdconn")
            }
            self = .setup(role)
        case "mid":
            guard SDPScalars.isNonSpaceString(v), v.utf8.count <= 255 else {
                throw SDPAttributeValueError("mid must be 1–255 characters without spaces")
            }
            self = .mid(value)
        case "candidate": self = .candidate(try SDPCandidate(parsing: v))
        case "sctp-port":
            guard let port = SDPScalars.number(v, as: UInt16.self) else {
                throw SDPAttributeValueError("sctp-port must be 0–65535")
            }
            self = .sctpPort(port)
        case "max-message-size":
            guard let size = SDPScalars.number(v, as: UInt64.self) else {
                throw SDPAttributeValueError("max-message-size must be a non-negative number")
            }
            self = .maxMessageSize(size)
        case "rtpmap": self = .rtpmap(try SDPRTPMap(parsing: v))
        case "fmtp": self = .fmtp(try SDPFormatParameters(parsing: v))
        case "rtcp-fb": self = .rtcpFeedback(try SDPRTCPFeedback(parsing: v))
        case "extmap": self = .extmap(try SDPExtMap(parsing: v))
        case "msid": self = .msid(try SDPMSID(parsing: v))
        case "ssrc": self = .ssrc(try SDPSSRCAttribute(parsing: v))
        case "ssrc-group": self = .ssrcGroup(try SDPSSRCGroup(parsing: v))
        default: self = .other(name: name, value: value)
        }
    }

    /// An `ice-char` string (ALPHA / DIGIT / `+` / `/`) of 1–256 characters.
    private static func iceCredential(_ v: Substring, what: String) throws(SDPAttributeValueError) -> String {
        let ok = !v.isEmpty && v.utf8.count <= 256 && v.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2B || c == 0x2F
        }
        guard ok else { throw SDPAttributeValueError("\(what) must be 1–256 of A–Z a–z 0–9 + /") }
        return String(v)
    }
}
