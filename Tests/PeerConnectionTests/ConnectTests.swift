import DataChannel
import ICE
import NetSim
import PeerConnection
import SDP
import Testing
import WireKit

/// Two PeerConnections connect over NetSim (virtual time) and exchange data-channel messages.
@Suite struct ConnectTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func offerAnswerConnectsAndCarriesDataBothWays(seed: UInt64) throws {
        let p = PCPair(seed: seed)
        let dc = try p.a.pc.createDataChannel("chat")
        #expect(p.a.pc.pollEvent() == .negotiationNeeded, "seed \(seed)")
        try p.a.negotiate()
        #expect(p.a.pc.signalingState == .stable && p.b.pc.signalingState == .stable)
        try p.run { p.a.opened.contains(dc) && !p.b.opened.isEmpty }
        #expect(p.a.isConnected && p.b.isConnected, "seed \(seed)")
        #expect(p.a.pc.dtlsRole == .server && p.b.pc.dtlsRole == .client, "answerer is DTLS client (a=setup:active)")
        let remote = try #require(p.b.remoteChannels.first)
        #expect(p.b.pc.dataChannel(remote)?.label == "chat")
        #expect(p.a.pc.dataChannel(dc)?.id.map { $0 % 2 } == 1, "DTLS server uses odd stream ids")

        try p.a.pc.send(text: "hello", on: dc)
        try p.b.pc.send(Array(repeating: 7, count: 100_000), on: remote)
        try p.run(maxTime: .seconds(10)) { !p.b.messages(remote).isEmpty && !p.a.messages(dc).isEmpty }
        #expect(p.b.messages(remote).first?.text == "hello")
        #expect(p.a.messages(dc).first?.data == Array(repeating: 7, count: 100_000))

        let stats = p.a.pc.getStats()
        let channelStats = stats.all(ofType: "data-channel")
        #expect(channelStats.first?.int("messagesSent") == 1 && channelStats.first?.int("bytesReceived") == 100_000)
        let transport = try #require(stats["T01"])
        #expect((transport.int("bytesReceived") ?? 0) > 100_000)
        #expect(transport["dtlsState"] == .string("connected"))
        #expect(transport["srtpCipher"] == nil, "a data-only connection never starts SRTP")
        #expect(!stats.all(ofType: "candidate-pair").isEmpty && stats.all(ofType: "certificate").count == 2)
        #expect(p.a.events.contains(.connectionStateChange(.connected)))
        #expect(p.a.events.contains { if case .selectedCandidatePairChange = $0 { true } else { false } })
    }

    @Test func descriptionsCarryJSEPAttributes() throws {
        let p = PCPair(seed: 9)
        _ = try p.a.pc.createDataChannel("x")
        let offer = try p.a.pc.createOffer()
        let session = try SessionDescription(parsing: offer.sdp)
        let m = try #require(session.media.first)
        #expect(m.isDataChannel && m.setup == .actpass && (m.maxMessageSize ?? 0) >= 262_144 && m.sctpPort == 5000)
        #expect(m.iceOptions.contains("trickle") && m.fingerprints.count == 1)
        #expect(session.bundleGroups.first?.mids == [m.mid ?? "?"])
        try p.a.pc.setLocalDescription(offer)
        try p.b.pc.setRemoteDescription(offer)
        let answer = try p.b.pc.createAnswer()
        let a = try SessionDescription(parsing: answer.sdp)
        #expect(a.media.first?.setup == .active)
        #expect(throws: PeerConnectionError.invalidModification) {
            try p.b.pc.setLocalDescription(SessionDescriptionInit(type: .answer, sdp: answer.sdp + "a=x\r\n"))
        }
    }

    /// A media section without a codec we speak (here PCMU only) is rejected; Opus/VP8 sections
    /// are accepted (PeerConnectionMediaTests).
    @Test func mediaSectionsWithoutACommonCodecAreRejectedWithPortZero() throws {
        let p = PCPair(seed: 4)
        _ = try p.a.pc.createDataChannel("x")
        var offer = try SessionDescription(parsing: try p.a.pc.createOffer().sdp)
        var audio = MediaDescription(kind: .audio, transportProtocol: "UDP/TLS/RTP/SAVPF", formats: ["0"])
        audio.append(.mid("a1"))
        audio.append(.rtpmap(try SDPRTPMap(parsing: "0 PCMU/8000")))
        offer.media.insert(audio, at: 0)
        try p.b.pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: offer.serialized))
        let answer = try SessionDescription(parsing: try p.b.pc.createAnswer().sdp)
        #expect(answer.media.count == 2)
        #expect(answer.media[0].port == 0 && answer.media[0].mid == "a1" && answer.media[0].kind == .audio)
        #expect(answer.media[1].isDataChannel && answer.media[1].port != 0)
        #expect(answer.bundleGroups.first?.mids == [answer.media[1].mid ?? "?"])
    }

    @Test func fingerprintMismatchFailsTheConnection() throws {
        let p = PCPair(seed: 5)
        _ = try p.a.pc.createDataChannel("x")
        let offer = try p.a.pc.setLocalDescription()
        try p.b.pc.setRemoteDescription(offer)
        let answer = try p.b.pc.setLocalDescription()
        // Replace B's fingerprint with another certificate's.
        let other = DeviceIdentityFixture.other.fingerprint.sdpValue
        var lines = answer.sdp.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        for i in lines.indices where lines[i].hasPrefix("a=fingerprint:") { lines[i] = "a=fingerprint:" + other }
        try p.a.pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: lines.joined(separator: "\r\n") + "\r\n"))
        try p.run { p.a.pc.connectionState == .failed || p.b.pc.connectionState == .failed }
        #expect(p.a.pc.dtlsState == .failed || p.b.pc.dtlsState == .failed)
    }
}
