/// `a=group:<semantics> <mid> …` (RFC 5888); `BUNDLE` (RFC 8843) is the one WebRTC uses.
public struct SDPGroup: Hashable, Sendable, CustomStringConvertible {
    /// The grouping semantics (`BUNDLE`, `LS`, `FID`…).
    public var semantics: String
    /// The media identification tags (`a=mid` values) in the group, in order.
    public var mids: [String]

    /// A group of `mids` with `semantics`.
    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    /// True for `BUNDLE` (RFC 8843).
    public var isBundle: Bool { semantics == "BUNDLE" }

    /// The attribute value.
    public var description: String { ([semantics] + mids).joined(separator: " ") }

    /// Parses an attribute value such as `BUNDLE 0 1 2`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = SDPScalars.fields(value)
        guard let first = f.first, SDPScalars.isToken(first) else {
            throw SDPAttributeValueError("group must be `<semantics> <mid> …`")
        }
        self.init(semantics: String(first), mids: f.dropFirst().map(String.init))
    }
}

/// `a=msid-semantic:<semantic> [<identifier> …]` (the WebRTC `WMS` session attribute).
/// Chromium writes it with a space after the colon (`a=msid-semantic: WMS`); that is accepted.
public struct SDPMSIDSemantic: Hashable, Sendable, CustomStringConvertible {
    /// The semantic token, `WMS` in practice.
    public var semantic: String
    /// Stream identifiers (`*` for all).
    public var identifiers: [String]

    /// An msid-semantic entry.
    public init(semantic: String, identifiers: [String]) {
        self.semantic = semantic
        self.identifiers = identifiers
    }

    /// The attribute value (without Chromium's leading space).
    public var description: String { ([semantic] + identifiers).joined(separator: " ") }

    /// Parses an attribute value such as `WMS *` or ` WMS`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = SDPScalars.fields(value)
        guard let first = f.first, SDPScalars.isToken(first) else {
            throw SDPAttributeValueError("msid-semantic must be `<semantic> [<identifier> …]`")
        }
        self.init(semantic: String(first), identifiers: f.dropFirst().map(String.init))
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830): the MediaStream a track belongs to.
public struct SDPMSID: Hashable, Sendable, CustomStringConvertible {
    /// The stream identifier (`-` for none).
    public var streamID: String
    /// The application-specific track identifier, if present.
    public var trackID: String?

    /// An msid entry.
    public init(streamID: String, trackID: String? = nil) {
        self.streamID = streamID
        self.trackID = trackID
    }

    /// The attribute value.
    public var description: String { streamID + (trackID.map { " " + $0 } ?? "") }

    /// Parses an attribute value such as `- 2c120bac-…` or `{uuid} {uuid}`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = SDPScalars.fields(value)
        guard (1...2).contains(f.count) else { throw SDPAttributeValueError("msid must be `<stream id> [<track id>]`") }
        self.init(streamID: String(f[0]), trackID: f.count == 2 ? String(f[1]) : nil)
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
public struct SDPSSRCAttribute: Hashable, Sendable, CustomStringConvertible {
    /// The synchronization source.
    public var ssrc: UInt32
    /// The source attribute name (`cname`, `msid`…).
    public var attribute: String
    /// The source attribute value, if any (may hold spaces, e.g. for `msid`).
    public var value: String?

    /// An ssrc entry.
    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    /// The attribute value.
    public var description: String { "\(ssrc) \(attribute)" + (value.map { ":" + $0 } ?? "") }

    /// Parses an attribute value such as `695271682 cname:dn27wu6itpi7N3+5`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let (head, rest) = SDPScalars.splitFirstSpace(value)
        guard let ssrc = SDPScalars.number(head, as: UInt32.self), let rest else {
            throw SDPAttributeValueError("ssrc must be `<32-bit ssrc> <attribute>[:<value>]`")
        }
        let name: Substring
        var attributeValue: String?
        if let colon = rest.firstIndex(of: ":") {
            name = rest[..<colon]
            attributeValue = String(rest[rest.index(after: colon)...])
        } else {
            name = rest
        }
        guard SDPScalars.isToken(name) else { throw SDPAttributeValueError("ssrc attribute name must be a token") }
        self.init(ssrc: ssrc, attribute: String(name), value: attributeValue)
    }
}

/// `a=ssrc-group:<semantics> <ssrc> …` (RFC 5576 §4.2), e.g. `FID` pairing a stream with its RTX.
public struct SDPSSRCGroup: Hashable, Sendable, CustomStringConvertible {
    /// The grouping semantics (`FID`, `SIM`, `FEC-FR`…).
    public var semantics: String
    /// The grouped sources, in order.
    public var ssrcs: [UInt32]

    /// An ssrc-group entry.
    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    /// The attribute value.
    public var description: String { ([semantics] + ssrcs.map(String.init)).joined(separator: " ") }

    /// Parses an attribute value such as `FID 2859546409 3628676447`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = SDPScalars.fields(value)
        guard let first = f.first, SDPScalars.isToken(first), f.count >= 2 else {
            throw SDPAttributeValueError("ssrc-group must be `<semantics> <ssrc> …`")
        }
        var ssrcs: [UInt32] = []
        for field in f.dropFirst() {
            guard let s = SDPScalars.number(field, as: UInt32.self) else {
                throw SDPAttributeValueError("ssrc-group sources must be 32-bit numbers")
            }
            ssrcs.append(s)
        }
        self.init(semantics: String(first), ssrcs: ssrcs)
    }
}
