import SDP
import Testing

@Suite struct BuildingTests {
    @Test func aDescriptionBuiltFromTypedValuesWritesJSEPText() throws {
        var sdp = SessionDescription(origin: SDPOrigin(sessionID: 4_611_686_018_427_387_903, sessionVersion: 2))
        sdp.append(.group(SDPGroup(semantics: "BUNDLE", mids: ["0", "1"])))
        sdp.append(.msidSemantic(SDPMSIDSemantic(semantic: "WMS", identifiers: ["*"])))
        sdp.append(.iceLite)
        let fingerprint = SDPFingerprint(algorithm: "sha-256", bytes: (0..<32).map { UInt8($0 * 7) })
        var audio = MediaDescription(kind: .audio, transportProtocol: "UDP/TLS/RTP/SAVPF", formats: ["111", "0"],
                                     connection: SDPConnectionData())
        for attribute: SDPAttribute in [
            .mid("0"), .direction(.sendonly), .iceUfrag("abcd"), .icePwd("abcdefghijklmnopqrstuv"),
            .iceOptions(["trickle"]), .fingerprint(fingerprint), .setup(.actpass), .rtcpMux, .rtcpReducedSize,
            .extmap(SDPExtMap(id: 4, direction: .recvonly, uri: "urn:ietf:params:rtp-hdrext:sdes:mid")),
            .rtpmap(SDPRTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, encodingParameters: "2")),
            .fmtp(SDPFormatParameters(format: "111", parameters: "minptime=10;useinbandfec=1")),
            .rtcpFeedback(SDPRTCPFeedback(payloadType: nil, type: "transport-cc")),
            .rtpmap(SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000)),
            .msid(SDPMSID(streamID: "stream", trackID: "track")),
            .ssrcGroup(SDPSSRCGroup(semantics: "FID", ssrcs: [1, 2])),
            .ssrc(SDPSSRCAttribute(ssrc: 1, attribute: "cname", value: "x")),
            .other(name: "x-custom", value: "anything: goes"),
        ] { audio.append(attribute) }
        sdp.media.append(audio)
        sdp.media.append(.dataChannel(mid: "1", attributes: [.sctpPort(5000), .maxMessageSize(262_144), .endOfCandidates]))

        let text = sdp.serialized
        #expect(text.hasPrefix("v=0\r\no=- 4611686018427387903 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"))
        #expect(text.contains("\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"))
        #expect(text.contains("\r\na=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"))
        #expect(text.contains("\r\na=fingerprint:sha-256 00:07:0E:15:"))
        #expect(text.contains("\r\na=rtcp-fb:* transport-cc\r\n"))
        #expect(text.hasSuffix("a=end-of-candidates\r\n"))
        #expect(!text.replacingCRLF.contains("\r"), "only CRLF line endings")

        let parsed = try SessionDescription(parsing: text)
        #expect(parsed == sdp, "typed values survive a write/parse round trip")
        #expect(parsed.isICELite)
        #expect(parsed.media[0].direction == .sendonly)
        #expect(parsed.media[0].fingerprints == [fingerprint])
        #expect(parsed.media[1].isDataChannel && parsed.media[1].maxMessageSize == 262_144)
        #expect(parsed.mediaIndex(mid: "1") == 1)
        #expect(parsed.direction(forMediaAt: 1) == .sendrecv)
    }

    @Test func lowerCaseFingerprintHexIsAccepted() throws {
        let f = try SDPFingerprint(parsing: "SHA-256 ab:cd:EF")
        #expect(f.bytes == [0xAB, 0xCD, 0xEF] && f.normalizedAlgorithm == "sha-256" && f.hexString == "AB:CD:EF")
    }
}

extension String {
    /// The text with every CRLF removed (to find stray CRs).
    var replacingCRLF: String { split(separator: "\r\n", omittingEmptySubsequences: false).joined() }
}
