/// The media type of an `m=` line: `audio`, `video`, `application` (data channels), or any
/// other token, kept as written.
public struct SDPMediaKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The media token as written.
    public var rawValue: String
    /// A media kind from its token.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// `audio`.
    public static let audio = SDPMediaKind(rawValue: "audio")
    /// `video`.
    public static let video = SDPMediaKind(rawValue: "video")
    /// `application`, used for WebRTC data channels.
    public static let application = SDPMediaKind(rawValue: "application")
    /// The media token.
    public var description: String { rawValue }
}

/// One media section: an `m=` line and the `i=`, `c=`, `b=`, `k=` and `a=` lines under it
/// (RFC 8866 §5.14). In WebRTC each section is one transceiver or the data channel
/// transport, identified by its `a=mid`.
public struct MediaDescription: Hashable, Sendable {
    /// The media type.
    public var kind: SDPMediaKind
    /// The transport port (9 = discard, the JSEP placeholder; 0 = rejected section).
    public var port: UInt16
    /// The `/<number of ports>` suffix, if present.
    public var portCount: UInt16?
    /// The transport protocol, e.g. `UDP/DTLS/SCTP` or `UDP/TLS/RTP/SAVPF`.
    public var transportProtocol: String
    /// The media formats: RTP payload types, or `webrtc-datachannel`.
    public var formats: [String]
    /// `i=` media title.
    public var title: String?
    /// `c=` connection data.
    public var connection: SDPConnectionData?
    /// `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// `k=` line (obsolete; kept verbatim).
    public var encryptionKey: String?
    /// The `a=` lines in order, unknown ones included.
    public var attributes: [SDPAttributeLine]

    /// A media section.
    public init(kind: SDPMediaKind, port: UInt16 = 9, portCount: UInt16? = nil, transportProtocol: String,
                formats: [String], title: String? = nil, connection: SDPConnectionData? = nil,
                bandwidths: [SDPBandwidth] = [], encryptionKey: String? = nil, attributes: [SDPAttributeLine] = []) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.transportProtocol = transportProtocol
        self.formats = formats
        self.title = title
        self.connection = connection
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }

    /// A JSEP data-channel section: `m=application 9 UDP/DTLS/SCTP webrtc-datachannel`.
    public static func dataChannel(mid: String, attributes: [SDPAttribute] = []) -> MediaDescription {
        MediaDescription(kind: .application, transportProtocol: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"],
                         connection: SDPConnectionData(),
                         attributes: ([.mid(mid)] + attributes).map(SDPAttributeLine.init))
    }

    /// Appends a typed attribute in canonical spelling.
    public mutating func append(_ attribute: SDPAttribute) {
        attributes.append(SDPAttributeLine(attribute))
    }

    /// The `m=` line value.
    public var mediaLine: String {
        "\(kind) \(port)" + (portCount.map { "/\($0)" } ?? "") + " \(transportProtocol) " + formats.joined(separator: " ")
    }

    // MARK: Typed views

    /// Every value `extract` finds among the attributes, in order.
    public func all<T>(_ extract: (SDPAttribute) -> T?) -> [T] {
        attributes.compactMap { extract($0.attribute) }
    }

    /// The first value `extract` finds among the attributes.
    public func first<T>(_ extract: (SDPAttribute) -> T?) -> T? {
        for line in attributes { if let v = extract(line.attribute) { return v } }
        return nil
    }

    /// True when a flag or valued attribute named `name` is present.
    public func has(_ name: String) -> Bool { attributes.contains { $0.name == name } }

    /// `a=mid`.
    public var mid: String? { first { if case .mid(let m) = $0 { m } else { nil } } }
    /// The direction attribute, if the section has one.
    public var direction: SDPDirection? { first { if case .direction(let d) = $0 { d } else { nil } } }
    /// `a=ice-ufrag`.
    public var iceUfrag: String? { first { if case .iceUfrag(let s) = $0 { s } else { nil } } }
    /// `a=ice-pwd`.
    public var icePwd: String? { first { if case .icePwd(let s) = $0 { s } else { nil } } }
    /// `a=ice-options` tokens (all lines joined).
    public var iceOptions: [String] { all { if case .iceOptions(let o) = $0 { o } else { nil } }.flatMap { $0 } }
    /// `a=fingerprint` lines.
    public var fingerprints: [SDPFingerprint] { all { if case .fingerprint(let f) = $0 { f } else { nil } } }
    /// `a=setup`.
    public var setup: SDPSetupRole? { first { if case .setup(let s) = $0 { s } else { nil } } }
    /// `a=candidate` lines.
    public var candidates: [SDPCandidate] { all { if case .candidate(let c) = $0 { c } else { nil } } }
    /// True when `a=end-of-candidates` is present.
    public var isEndOfCandidates: Bool { first { if case .endOfCandidates = $0 { true } else { nil } } ?? false }
    /// `a=sctp-port`.
    public var sctpPort: UInt16? { first { if case .sctpPort(let p) = $0 { p } else { nil } } }
    /// `a=max-message-size`.
    public var maxMessageSize: UInt64? { first { if case .maxMessageSize(let m) = $0 { m } else { nil } } }
    /// `a=rtpmap` lines.
    public var rtpMaps: [SDPRTPMap] { all { if case .rtpmap(let r) = $0 { r } else { nil } } }
    /// `a=fmtp` lines.
    public var formatParameters: [SDPFormatParameters] { all { if case .fmtp(let f) = $0 { f } else { nil } } }
    /// `a=rtcp-fb` lines.
    public var rtcpFeedback: [SDPRTCPFeedback] { all { if case .rtcpFeedback(let r) = $0 { r } else { nil } } }
    /// `a=extmap` lines.
    public var extmaps: [SDPExtMap] { all { if case .extmap(let e) = $0 { e } else { nil } } }
    /// `a=msid` lines.
    public var msids: [SDPMSID] { all { if case .msid(let m) = $0 { m } else { nil } } }
    /// `a=ssrc` lines.
    public var ssrcAttributes: [SDPSSRCAttribute] { all { if case .ssrc(let s) = $0 { s } else { nil } } }
    /// `a=ssrc-group` lines.
    public var ssrcGroups: [SDPSSRCGroup] { all { if case .ssrcGroup(let g) = $0 { g } else { nil } } }
    /// True when `a=rtcp-mux` is present.
    public var isRTCPMux: Bool { first { if case .rtcpMux = $0 { true } else { nil } } ?? false }
    /// True when `a=rtcp-rsize` is present.
    public var isRTCPReducedSize: Bool { first { if case .rtcpReducedSize = $0 { true } else { nil } } ?? false }
    /// True when `a=bundle-only` is present (RFC 8843 §6).
    public var isBundleOnly: Bool { has("bundle-only") }
    /// True for a rejected or stopped section: port 0 without `a=bundle-only`.
    public var isRejected: Bool { port == 0 && !isBundleOnly }
    /// True for a WebRTC data channel section (SCTP over DTLS, format `webrtc-datachannel`).
    public var isDataChannel: Bool {
        kind == .application && transportProtocol.hasSuffix("SCTP") && formats == ["webrtc-datachannel"]
    }
    /// The formats that are RTP payload types (0–127), in m-line order.
    public var payloadTypes: [UInt8] {
        formats.compactMap { SDPScalars.number($0, as: UInt8.self).flatMap { $0 <= 127 ? $0 : nil } }
    }
}
