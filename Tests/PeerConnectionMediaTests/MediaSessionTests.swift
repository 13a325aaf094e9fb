import MediaTestSupport
import Media
import NetSim
import PeerConnection
import Testing
import WireKit

/// Media over two PeerConnections on NetSim (virtual time): Opus and VP8 both ways with loss,
/// and a video track added to (and removed from) a running data-channel session.
@Suite struct MediaSessionTests {
    /// A sends a 440 Hz tone and video, B answers with a 660 Hz tone and video, over a link with
    /// 5% loss each way. Audio plays with the right pitch; video keeps decoding (NACK and PLI).
    @Test(arguments: [UInt64(101)])
    func audioAndVideoBothWaysWithLoss(seed: UInt64) throws {
        // Loss starts once DTLS is up: its handshake timer is OpenSSL's real clock (docs/peerconnection.md).
        let p = try MediaPair(seed: seed, link: LinkConditions(delay: .milliseconds(20)))
        _ = try p.a.pc.createDataChannel("sync")
        try p.a.addAudioTrack()
        try p.a.addVideoTrack()
        try p.a.negotiate { b in
            // W3C: addTrack on the answerer reuses the transceivers the offer created.
            try b.addAudioTrack()
            try b.addVideoTrack()
        }
        #expect(p.b.tracks.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.audio, .video], "seed \(seed)")
        #expect(p.a.pc.transceivers.allSatisfy { $0.currentDirection == .sendrecv }, "seed \(seed)")
        #expect(p.b.pc.transceivers.count == 2, "the answerer reused the offered transceivers (seed \(seed))")
        try p.run(maxTime: .seconds(20)) { p.a.isConnected && p.b.isConnected && p.a.pc.isMediaTransportReady && p.b.pc.isMediaTransportReady }
        let lossy = LinkConditions(delay: .milliseconds(20), loss: 0.05)
        for host in p.net.hostIDs { p.net.setUplink(host, lossy) }
        try p.run(for: .seconds(4))

        #expect(p.a.tracks.count == 2, "seed \(seed)")
        for (receiver, expected) in [(p.b, 440.0), (p.a, 660.0)] {
            let audio = receiver.receivedAudio
            #expect(audio.count > 48000 * 3, "\(receiver.name) played \(audio.count) samples (seed \(seed))")
            let peak = peakFrequency(audio.suffix(48000), low: 300, high: 1000)
            #expect(abs(peak - expected) <= 5, "\(receiver.name) heard \(peak) Hz, expected \(expected) (seed \(seed))")
            let frames = receiver.decodedFrames
            #expect(frames.count >= 30, "\(receiver.name) decoded \(frames.count) video frames (seed \(seed))")
            #expect(frames.allSatisfy { $0.width == 160 && $0.height == 120 }, "seed \(seed)")
            #expect(receiver.decodeErrors == 0, "seed \(seed)")
            let inbound = try #require(receiver.rtpStats("inbound-rtp", .video), "seed \(seed)")
            #expect((inbound.int("nackCount") ?? 0) > 0, "video losses were NACKed (seed \(seed))")
            let audioIn = try #require(receiver.rtpStats("inbound-rtp", .audio), "seed \(seed)")
            #expect((audioIn.int("packetsReceived") ?? 0) > 150, "seed \(seed)")
            #expect((audioIn.int("packetsLost") ?? 0) > 0, "audio is not retransmitted: the link's loss shows (seed \(seed))")
        }
        // The senders learned of the repairs and the round trip from RTCP.
        let outbound = try #require(p.a.rtpStats("outbound-rtp", .video))
        #expect((outbound.int("nackCount") ?? 0) > 0 && (outbound.int("retransmittedPacketsSent") ?? 0) > 0, "seed \(seed)")
        let remote = try #require(p.a.pc.getStats().all(ofType: "remote-inbound-rtp").first { $0["kind"] == .string("audio") })
        #expect(p.a.pc.getStats().all(ofType: "transport").first?["srtpCipher"] != nil, "media runs over SRTP")
        if case .double(let rtt)? = remote["roundTripTime"] {
            #expect(rtt > 0.03 && rtt < 0.2, "RTT \(rtt) s over a 2 × 20 ms path (seed \(seed))")
        } else {
            Issue.record("no roundTripTime in remote-inbound-rtp (seed \(seed))")
        }
    }

    /// A data-channel session that is already exchanging messages gets a video track by
    /// renegotiation (`negotiationneeded`), then loses it again with removeTrack; the channel
    /// keeps working throughout.
    @Test func renegotiationAddsAndRemovesVideoOnDataSession() throws {
        let seed: UInt64 = 7
        let p = try MediaPair(seed: seed, link: LinkConditions(delay: .milliseconds(10)))
        let dc = try p.a.pc.createDataChannel("sync")
        try p.a.negotiate()
        try p.run { p.a.pc.dataChannel(dc)?.readyState == .open && p.b.isConnected }
        try p.a.pc.send(text: "before", on: dc)
        try p.run(maxTime: .seconds(5)) { p.b.messages.count == 1 }

        let eventsBefore = p.a.events.count
        try p.a.addVideoTrack()
        p.a.drain()
        #expect(p.a.events[eventsBefore...].contains(.negotiationNeeded))
        try p.a.negotiate()
        #expect(p.b.tracks.map(\.kind) == [.video])
        #expect(p.a.pc.transceivers.first?.currentDirection == .sendonly)
        try p.a.pc.send(text: "during", on: dc)
        try p.run(maxTime: .seconds(10)) { p.b.decodedFrames.count >= 20 && p.b.messages.count == 2 }
        #expect(p.b.decodedFrames.count >= 20)
        #expect(p.b.messages.map { String(decoding: $0, as: UTF8.self) } == ["before", "during"])

        // removeTrack: negotiation needed again; afterwards nothing more arrives.
        let eventsBeforeRemove = p.a.events.count
        try p.a.removeVideoTrack()
        p.a.drain()
        #expect(p.a.events[eventsBeforeRemove...].contains(.negotiationNeeded))
        try p.a.negotiate()
        #expect(p.a.pc.transceivers.first?.currentDirection == .inactive)
        try p.run(for: .milliseconds(500))
        let frames = p.b.decodedFrames.count
        try p.a.pc.send(text: "after", on: dc)
        try p.run(for: .seconds(2))
        #expect(p.b.decodedFrames.count == frames, "no video after removeTrack")
        #expect(p.b.messages.count == 3)
        let offer = try #require(p.a.pc.currentLocalDescription?.sdp)
        #expect(offer.contains("a=group:BUNDLE 0 1") && offer.contains("m=video 9 UDP/TLS/RTP/SAVPF 96"))
    }
}
