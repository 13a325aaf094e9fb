import SDP
import Testing

@Suite struct FixtureTests {
    @Test(arguments: Fixtures.names)
    func parsesAndRoundTripsByteExact(name: String) throws {
        let text = try Fixtures.text(name)
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.serialized == text, "\(name) does not round-trip byte for byte")
        #expect(try SessionDescription(parsing: sdp.serialized) == sdp)
        // Every a= line in the text becomes exactly one attribute line.
        let attributeLines = text.split(separator: "\r\n").filter { $0.hasPrefix("a=") }.count
        #expect(sdp.attributes.count + sdp.media.reduce(0) { $0 + $1.attributes.count } == attributeLines)
        #expect(text.split(separator: "\r\n").filter { $0.hasPrefix("m=") }.count == sdp.media.count)
    }

    @Test(arguments: Fixtures.names)
    func jsepInvariantsHold(name: String) throws {
        let sdp = try SessionDescription(parsing: Fixtures.text(name))
        #expect(sdp.timings == [SDPTiming(start: 0, stop: 0)])
        #expect(sdp.sessionName == "-")
        let bundle = try #require(sdp.bundleGroups.first)
        #expect(bundle.mids == sdp.media.compactMap(\.mid), "BUNDLE lists every mid in order")
        for index in sdp.media.indices {
            let ufrag = try #require(sdp.iceUfrag(forMediaAt: index))
            let pwd = try #require(sdp.icePwd(forMediaAt: index))
            #expect(ufrag.count >= 4 && pwd.count >= 22)
            let fingerprints = sdp.fingerprints(forMediaAt: index)
            let sha256 = try #require(fingerprints.first { $0.normalizedAlgorithm == "sha-256" })
            #expect(sha256.bytes.count == 32)
            let setup = try #require(sdp.setup(forMediaAt: index))
            #expect(name.hasSuffix("offer") ? setup == .actpass : setup != .actpass)
        }
        let data = try #require(sdp.media.last)
        #expect(data.isDataChannel)
        #expect(data.kind == .application)
        #expect(data.transportProtocol == "UDP/DTLS/SCTP")
        #expect(data.sctpPort == 5000)
        #expect((data.maxMessageSize ?? 0) >= 65536)
        let datas = sdp.media.filter(\.isDataChannel)
        #expect(datas.count == 1)
    }

    @Test(arguments: Fixtures.names.filter { $0.contains("-av-") })
    func audioVideoSectionsAreTyped(name: String) throws {
        let sdp = try SessionDescription(parsing: Fixtures.text(name))
        #expect(sdp.media.map(\.kind) == [.audio, .video, .application])
        let audio = sdp.media[0], video = sdp.media[1]
        for m in [audio, video] {
            #expect(m.transportProtocol == "UDP/TLS/RTP/SAVPF")
            #expect(m.isRTCPMux)
            #expect(!m.payloadTypes.isEmpty)
            // Every rtpmap, fmtp and rtcp-fb names a payload type from the m= line.
            let pts = Set(m.payloadTypes)
            #expect(m.rtpMaps.allSatisfy { pts.contains($0.payloadType) })
            #expect(m.formatParameters.allSatisfy { $0.payloadType.map(pts.contains) ?? false })
            #expect(m.rtcpFeedback.allSatisfy { $0.payloadType.map(pts.contains) ?? true })
            #expect(m.extmaps.allSatisfy { (1...14).contains($0.id) })
            #expect(m.extmaps.contains { $0.uri == "urn:ietf:params:rtp-hdrext:sdes:mid" })
        }
        let opus = try #require(audio.rtpMaps.first { $0.encodingName.lowercased() == "opus" })
        #expect(opus.clockRate == 48000 && opus.channels == 2)
        let vp8 = try #require(video.rtpMaps.first { $0.encodingName == "VP8" })
        #expect(vp8.clockRate == 90000)
        #expect(video.rtcpFeedback.contains { $0.payloadType == vp8.payloadType && $0.type == "nack" && $0.parameter == "pli" })
        // RTX payload types point at a video payload type of the same section.
        for rtx in video.rtpMaps where rtx.encodingName == "rtx" {
            let fmtp = try #require(video.formatParameters.first { $0.payloadType == rtx.payloadType })
            let apt = try #require(fmtp.parameter("apt").flatMap { UInt8($0) })
            #expect(video.payloadTypes.contains(apt))
        }
    }

    @Test func chromiumDetails() throws {
        let sdp = try SessionDescription(parsing: Fixtures.text("chromium-av-offer"))
        #expect(sdp.origin.username == "-" && sdp.origin.sessionVersion == 2)
        #expect(sdp.msidSemantic == SDPMSIDSemantic(semantic: "WMS", identifiers: []))
        #expect(sdp.attributes.contains { $0.description == "msid-semantic: WMS" }, "Chromium's spelling is kept")
        #expect(sdp.attributes.contains { $0.attribute == .other(name: "extmap-allow-mixed", value: nil) })
        let audio = sdp.media[0]
        #expect(audio.iceOptions == ["trickle"])
        #expect(audio.direction == .sendrecv)
        #expect(audio.msids.first?.streamID == "-")
        #expect(audio.isRTCPReducedSize)
        let red = try #require(audio.rtpMaps.first { $0.encodingName == "red" })
        #expect(audio.formatParameters.first { $0.payloadType == red.payloadType }?.parameters == "111/111")
        #expect(audio.ssrcAttributes.contains { $0.attribute == "cname" })
        #expect(audio.ssrcAttributes.contains { $0.attribute == "msid" && $0.value?.hasPrefix("- ") == true })
        #expect(audio.attributes.contains { $0.attribute == .other(name: "rtcp", value: "9 IN IP4 0.0.0.0") })
        let video = sdp.media[1]
        #expect(video.ssrcGroups.first?.semantics == "FID")
        #expect(video.ssrcGroups.first?.ssrcs.count == 2)
        let withCandidates = try SessionDescription(parsing: Fixtures.text("chromium-datachannel-offer"))
        let candidate = try #require(withCandidates.media[0].candidates.first)
        #expect(candidate.type == "host" && candidate.component == 1 && candidate.transport == "udp")
        #expect(candidate.value.hasSuffix("generation 0 network-cost 999"))
    }

    @Test func firefoxDetails() throws {
        let sdp = try SessionDescription(parsing: Fixtures.text("firefox-av-answer"))
        #expect(sdp.origin.username.hasPrefix("mozilla...THIS_IS_SDPARTA"))
        #expect(sdp.fingerprints.count == 1, "Firefox puts the fingerprint at session level")
        #expect(sdp.media[0].fingerprints.isEmpty)
        #expect(sdp.iceOptions == ["trickle"])
        #expect(sdp.direction(forMediaAt: 0) == .recvonly)
        #expect(sdp.media[0].isEndOfCandidates)
        let tcp = try #require(sdp.media[0].candidates.first { $0.transport == "TCP" })
        #expect(tcp.port == 9 && tcp.value.hasSuffix("tcptype active"))
        let dtmf = try #require(sdp.media[0].formatParameters.first { $0.parameters == "0-15" })
        #expect(dtmf.parameterPairs.first?.key == "0-15")
        let opusParams = try #require(sdp.media[0].formatParameters.first { $0.payloadType == 109 })
        #expect(opusParams.parameter("useinbandfec") == "1" && opusParams.parameter("maxplaybackrate") == "48000")
        let dc = try SessionDescription(parsing: Fixtures.text("firefox-datachannel-offer"))
        #expect(dc.media[0].maxMessageSize == 1_073_741_823)
    }

    @Test func aiortcDetails() throws {
        let sdp = try SessionDescription(parsing: Fixtures.text("aiortc-av-offer"))
        #expect(sdp.msidSemantic?.identifiers == ["*"])
        #expect(sdp.media[0].fingerprints.map(\.normalizedAlgorithm) == ["sha-256", "sha-384", "sha-512"])
        #expect(sdp.media[0].fingerprints.map(\.bytes.count) == [32, 48, 64])
        #expect(sdp.media[0].connection?.addressType == "IP4")
        #expect(sdp.media[0].port != 9, "aiortc puts the default candidate's port on the m= line")
        #expect(sdp.media.allSatisfy { $0.isEndOfCandidates })
        #expect(sdp.media[1].ssrcGroups.first?.semantics == "FID")
        let h264 = try #require(sdp.media[1].formatParameters.first { $0.parameter("profile-level-id") == "42001f" })
        #expect(h264.parameter("packetization-mode") == "1")
    }
}
