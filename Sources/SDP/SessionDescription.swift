/// A parsed SDP session description (RFC 8866) as JSEP (RFC 8829) exchanges it: the
/// session-level lines and the media sections, with every `a=` line typed and kept in order.
///
/// Parse with ``init(parsing:)-(String)`` (or the byte form for untrusted input), write with
/// ``serialized``: a description parsed from text writes back the same text (with CRLF line
/// endings). Lookups that JSEP allows at either level (`ice-ufrag`, `fingerprint`, `setup`,
/// direction…) have `…(forMediaAt:)` forms that fall back to the session level.
public struct SessionDescription: Hashable, Sendable {
    /// `o=`.
    public var origin: SDPOrigin
    /// `s=` (WebRTC writes `-`).
    public var sessionName: String
    /// `i=` session information.
    public var sessionInformation: String?
    /// `u=` URI.
    public var uri: String?
    /// `e=` lines.
    public var emails: [String]
    /// `p=` lines.
    public var phones: [String]
    /// Session-level `c=`.
    public var connection: SDPConnectionData?
    /// Session-level `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// `t=` lines with their `r=` repeats (at least one; WebRTC writes `t=0 0`).
    public var timings: [SDPTiming]
    /// `z=` line, verbatim.
    public var timeZones: String?
    /// Session-level `k=` line, verbatim.
    public var encryptionKey: String?
    /// Session-level `a=` lines in order, unknown ones included.
    public var attributes: [SDPAttributeLine]
    /// The media sections in order (their index is the `sdpMLineIndex` of candidates).
    public var media: [MediaDescription]

    /// A description; the defaults give the JSEP session preamble (`s=-`, `t=0 0`).
    public init(origin: SDPOrigin, sessionName: String = "-", sessionInformation: String? = nil, uri: String? = nil,
                emails: [String] = [], phones: [String] = [], connection: SDPConnectionData? = nil,
                bandwidths: [SDPBandwidth] = [], timings: [SDPTiming] = [SDPTiming()], timeZones: String? = nil,
                encryptionKey: String? = nil, attributes: [SDPAttributeLine] = [], media: [MediaDescription] = []) {
        self.origin = origin
        self.sessionName = sessionName
        self.sessionInformation = sessionInformation
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.timings = timings
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }

    /// Appends a typed session-level attribute in canonical spelling.
    public mutating func append(_ attribute: SDPAttribute) {
        attributes.append(SDPAttributeLine(attribute))
    }

    // MARK: Session-level views

    /// Every value `extract` finds among the session-level attributes, in order.
    public func all<T>(_ extract: (SDPAttribute) -> T?) -> [T] {
        attributes.compactMap { extract($0.attribute) }
    }

    /// The first value `extract` finds among the session-level attributes.
    public func first<T>(_ extract: (SDPAttribute) -> T?) -> T? {
        for line in attributes { if let v = extract(line.attribute) { return v } }
        return nil
    }

    /// `a=group` lines.
    public var groups: [SDPGroup] { all { if case .group(let g) = $0 { g } else { nil } } }
    /// The `BUNDLE` groups (RFC 8843); JSEP produces at most one.
    public var bundleGroups: [SDPGroup] { groups.filter(\.isBundle) }
    /// `a=msid-semantic`.
    public var msidSemantic: SDPMSIDSemantic? { first { if case .msidSemantic(let m) = $0 { m } else { nil } } }
    /// True when the session declares `a=ice-lite`.
    public var isICELite: Bool { first { if case .iceLite = $0 { true } else { nil } } ?? false }
    /// Session-level `a=ice-options` tokens.
    public var iceOptions: [String] { all { if case .iceOptions(let o) = $0 { o } else { nil } }.flatMap { $0 } }
    /// Session-level `a=fingerprint` lines (Firefox puts them here).
    public var fingerprints: [SDPFingerprint] { all { if case .fingerprint(let f) = $0 { f } else { nil } } }

    /// The index of the media section whose `a=mid` is `mid`.
    public func mediaIndex(mid: String) -> Int? { media.firstIndex { $0.mid == mid } }

    // MARK: Effective per-media values (media level first, then session level)

    /// `a=ice-ufrag` for media section `index`.
    public func iceUfrag(forMediaAt index: Int) -> String? {
        mediaValue(index) { $0.iceUfrag } ?? first { if case .iceUfrag(let s) = $0 { s } else { nil } }
    }

    /// `a=ice-pwd` for media section `index`.
    public func icePwd(forMediaAt index: Int) -> String? {
        mediaValue(index) { $0.icePwd } ?? first { if case .icePwd(let s) = $0 { s } else { nil } }
    }

    /// `a=ice-options` for media section `index`.
    public func iceOptions(forMediaAt index: Int) -> [String] {
        let m = mediaValue(index) { $0.iceOptions.isEmpty ? nil : $0.iceOptions }
        return m ?? iceOptions
    }

    /// `a=fingerprint` lines for media section `index`.
    public func fingerprints(forMediaAt index: Int) -> [SDPFingerprint] {
        mediaValue(index) { $0.fingerprints.isEmpty ? nil : $0.fingerprints } ?? fingerprints
    }

    /// `a=setup` for media section `index`.
    public func setup(forMediaAt index: Int) -> SDPSetupRole? {
        mediaValue(index) { $0.setup } ?? first { if case .setup(let s) = $0 { s } else { nil } }
    }

    /// The direction of media section `index` (default `sendrecv`, RFC 3264 §5.1).
    public func direction(forMediaAt index: Int) -> SDPDirection {
        mediaValue(index) { $0.direction } ?? first { if case .direction(let d) = $0 { d } else { nil } } ?? .sendrecv
    }

    private func mediaValue<T>(_ index: Int, _ get: (MediaDescription) -> T?) -> T? {
        guard media.indices.contains(index) else { return nil }
        return get(media[index])
    }
}
