import DTLS
import ICE
import SDP
import WireKit

/// Building the SDP of offers and answers (JSEP §5.2, §5.3) and reading the peer's.
extension PeerConnection {
    /// Our local ICE credentials as they will appear in the next description.
    var localICECredentials: ICECredentials { ice?.localCredentials ?? initialCredentials }

    /// The SDP `a=fingerprint` of our certificate.
    var localFingerprint: SDPFingerprint {
        let f = configuration.identity.fingerprint
        return SDPFingerprint(algorithm: f.algorithm.rawValue, bytes: f.digest)
    }

    /// Session preamble shared by offers and answers.
    func makeSession(bundle mids: [String]) -> SessionDescription {
        sessionVersion += 1
        var s = SessionDescription(origin: SDPOrigin(username: "-", sessionID: sessionID, sessionVersion: sessionVersion))
        if !mids.isEmpty { s.append(.group(SDPGroup(semantics: "BUNDLE", mids: mids))) }
        s.append(.other(name: "extmap-allow-mixed", value: nil))
        s.append(.msidSemantic(SDPMSIDSemantic(semantic: "WMS", identifiers: [])))
        return s
    }

    /// The accepted data section with our transport attributes.
    func dataSection(mid: String, setup: SDPSetupRole) -> MediaDescription {
        let creds = localICECredentials
        var m = MediaDescription.dataChannel(mid: mid, attributes: [])
        m.attributes = []
        m.append(.iceUfrag(creds.ufrag))
        m.append(.icePwd(creds.password))
        m.append(.iceOptions(["trickle"]))
        m.append(.fingerprint(localFingerprint))
        m.append(.setup(setup))
        m.append(.mid(mid))
        m.append(.sctpPort(configuration.sctpPort))
        m.append(.maxMessageSize(UInt64(configuration.maxMessageSize)))
        if let limit = configuration.announcedRecordLimit {
            m.append(.other(name: Self.recordSizeLimitAttribute, value: String(limit)))
        }
        // Candidates already gathered belong in descriptions created afterwards (JSEP §5.2.1);
        // only the current ICE generation's.
        for line in localCandidateLines where line.hasSuffix("ufrag \(creds.ufrag)") || !line.contains(" ufrag ") {
            if let c = try? SDPCandidate(parsing: Substring(line.dropFirst("candidate:".count))) { m.append(.candidate(c)) }
        }
        if iceGatheringState == .complete { m.append(.endOfCandidates) }
        return m
    }

    /// A rejected section mirroring the peer's (JSEP §5.3.1: port 0, same mid).
    func rejectedSection(_ s: NegotiatedSection) -> MediaDescription {
        markRejected(mid: s.mid)
        var m = MediaDescription(kind: s.kind, port: 0, transportProtocol: s.transportProtocol,
                                 formats: s.formats.isEmpty ? ["0"] : s.formats, connection: SDPConnectionData())
        m.append(.mid(s.mid))
        m.append(.direction(.inactive))
        return m
    }

    /// The a=setup we write: actpass in a first offer, our role once it is fixed.
    func setupForOffer() -> SDPSetupRole {
        switch dtlsRole {
        case .client?: return .active
        case .server?: return .passive
        case nil: return .actpass
        }
    }

    /// Builds an offer from the negotiated sections (or a fresh data section).
    func buildOffer() -> String {
        var list = sections
        if !list.contains(where: \.isData) {
            var mid = "0"
            var n = 0
            while list.contains(where: { $0.mid == mid }) { n += 1; mid = String(n) }
            list.append(NegotiatedSection(mid: mid, kind: .application, transportProtocol: "UDP/DTLS/SCTP",
                                          formats: ["webrtc-datachannel"], isData: true))
        }
        appendNewMediaSections(to: &list)
        let dataIndex = list.firstIndex(where: \.isData) ?? 0
        dataMid = list[dataIndex].mid
        dataMLineIndex = dataIndex
        var session = makeSession(bundle: bundleMIDs(list))
        for s in list {
            session.media.append(s.isData ? dataSection(mid: s.mid, setup: setupForOffer())
                                 : mediaSection(for: s, setup: setupForOffer(), isAnswer: false) ?? rejectedOfferSection(s))
        }
        return session.serialized
    }

    /// Builds an answer to `offer`: the first data section accepted, everything else rejected.
    func buildAnswer(to offer: SessionDescription) throws(PeerConnectionError) -> String {
        var list: [NegotiatedSection] = []
        for (i, m) in offer.media.enumerated() {
            let mid = m.mid ?? String(i)
            let accept = m.isDataChannel && !m.isRejected && !list.contains(where: \.isData)
            list.append(NegotiatedSection(mid: mid, kind: m.kind, transportProtocol: m.transportProtocol, formats: m.formats, isData: accept))
        }
        guard let dataIndex = list.firstIndex(where: \.isData) else {
            throw .invalidDescription("the offer has no data channel section (m=application UDP/DTLS/SCTP webrtc-datachannel)")
        }
        let setup: SDPSetupRole
        switch dtlsRole {
        case .client?: setup = .active
        case .server?: setup = .passive
        case nil:
            switch offer.setup(forMediaAt: dataIndex) {
            case .passive?: setup = .active
            case .active?: setup = .passive
            default: setup = .active  // actpass: JSEP §5.3.1 (the answerer starts the handshake)
            }
        }
        var session = makeSession(bundle: bundleMIDs(list))
        for s in list {
            session.media.append(s.isData ? dataSection(mid: s.mid, setup: setup)
                                 : mediaSection(for: s, setup: setup, isAnswer: true) ?? rejectedSection(s))
        }
        return session.serialized
    }

    /// The transport parameters of a peer's description.
    struct RemoteTransport {
        var index: Int
        var mid: String
        var credentials: ICECredentials
        var fingerprints: [CertificateFingerprint]
        var setup: SDPSetupRole?
        var sctpPort: UInt16
        var maxMessageSize: Int
        /// `a=x-record-size-limit`: the largest DTLS record plaintext the peer receives.
        var recordSizeLimit: Int?
        var candidates: [String]
        var endOfCandidates: Bool
        var trickle: Bool
    }

    /// Our SDP attribute for RFC 8449's record_size_limit: the largest DTLS record plaintext
    /// (SCTP packet) the sender of the description receives. Peers that do not announce one
    /// get PLPMTUD probes of at most ``PeerConnectionConfiguration/unannouncedRecordLimit``.
    static let recordSizeLimitAttribute = "x-record-size-limit"

    /// The peer's `a=x-record-size-limit` in the data section: nil when absent or not a
    /// number in 1200...65535.
    static func recordSizeLimit(in m: MediaDescription) -> Int? {
        guard let line = m.attributes.first(where: { $0.name == recordSizeLimitAttribute }),
              let value = line.value, let n = Int(value), (1200...65_535).contains(n) else { return nil }
        return n
    }

    /// Parses and checks a peer's SDP.
    func parseRemote(_ sdp: String) throws(PeerConnectionError) -> (SessionDescription, RemoteTransport) {
        let session: SessionDescription
        do { session = try SessionDescription(parsing: sdp) } catch { throw .invalidDescription(error.description) }
        guard let index = session.media.firstIndex(where: { $0.isDataChannel && !$0.isRejected }) else {
            throw .invalidDescription("no data channel section (m=application UDP/DTLS/SCTP webrtc-datachannel)")
        }
        let m = session.media[index]
        guard let ufrag = session.iceUfrag(forMediaAt: index), let pwd = session.icePwd(forMediaAt: index) else {
            throw .invalidDescription("data section \(index) lacks a=ice-ufrag/a=ice-pwd")
        }
        var fingerprints: [CertificateFingerprint] = []
        for f in session.fingerprints(forMediaAt: index) {
            guard let algorithm = CertificateFingerprint.Algorithm(rawValue: f.normalizedAlgorithm),
                  f.bytes.count == algorithm.digestLength else { continue }
            fingerprints.append(CertificateFingerprint(algorithm: algorithm, digest: f.bytes))
        }
        guard !fingerprints.isEmpty else { throw .invalidDescription("data section \(index) lacks a usable a=fingerprint") }
        let maxSize = m.maxMessageSize.map { Int(clamping: $0) } ?? 65_536
        let transport = RemoteTransport(index: index, mid: m.mid ?? String(index), credentials: ICECredentials(ufrag: ufrag, password: pwd),
                                        fingerprints: fingerprints, setup: session.setup(forMediaAt: index),
                                        sctpPort: m.sctpPort ?? 5000, maxMessageSize: maxSize,
                                        recordSizeLimit: Self.recordSizeLimit(in: m),
                                        candidates: m.candidates.map(\.attributeString), endOfCandidates: m.isEndOfCandidates,
                                        trickle: session.iceOptions(forMediaAt: index).contains("trickle"))
        return (session, transport)
    }

    /// Records the m-line layout of a completed exchange (the offer's order).
    func recordSections(from session: SessionDescription, dataIndex: Int) {
        sections = session.media.enumerated().map { i, m in
            NegotiatedSection(mid: m.mid ?? String(i), kind: m.kind, transportProtocol: m.transportProtocol, formats: m.formats,
                              isData: i == dataIndex)
        }
        dataMid = sections[dataIndex].mid
        dataMLineIndex = dataIndex
    }
}
