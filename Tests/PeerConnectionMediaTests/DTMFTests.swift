import MediaTestSupport
import Media
import NetSim
import PeerConnection
import Testing
import WireKit

/// RFC 4733 DTMF on a PeerConnection: `telephone-event/48000` negotiated in SDP next to Opus,
/// digits sent with `RTCDTMFSender` semantics arrive in order with their durations while the
/// audio keeps playing; without the event in the peer's SDP there is no DTMF.
@Suite struct DTMFTests {
    @Test(arguments: [UInt64(23)])
    func digitsArriveInOrderWithTheirDurations(seed: UInt64) throws {
        let p = try MediaPair(seed: seed, link: LinkConditions(delay: .milliseconds(15)))
        _ = try p.a.pc.createDataChannel("sync")
        try p.a.addAudioTrack()
        try p.a.negotiate { b in try b.addAudioTrack() }
        let offer = try #require(p.a.pc.currentLocalDescription?.sdp)
        let answer = try #require(p.b.pc.currentLocalDescription?.sdp)
        for sdp in [offer, answer] {
            #expect(sdp.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111 101"), "seed \(seed)")
            #expect(sdp.contains("a=rtpmap:101 telephone-event/48000") && sdp.contains("a=fmtp:101 0-15"), "seed \(seed)")
        }
        #expect(p.a.pc.transceivers.first?.telephoneEventPayloadType == 101)
        #expect(p.b.pc.transceivers.first?.telephoneEventPayloadType == 101)
        try p.run(maxTime: .seconds(20)) { p.a.pc.isMediaTransportReady && p.b.pc.isMediaTransportReady }
        try p.run(for: .milliseconds(500))
        let h = try #require(p.a.audioSender)
        #expect(p.a.pc.canInsertDTMF(h))

        try p.a.insertDTMF("1#9A", duration: 120, gap: 70)
        try p.run(for: .seconds(2))
        #expect(p.b.dtmfDigits.map(\.tone) == ["1", "#", "9", "A"], "seed \(seed)")
        for d in p.b.dtmfDigits { #expect(d.duration == .milliseconds(120), "\(d) (seed \(seed))") }
        let starts = p.b.dtmfDigits.map(\.timestamp)
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 &- $0 == UInt32(48 * 190) }, "\(starts): 120 ms tone + 70 ms gap apart")
        #expect(p.a.toneChanges == ["1", "#", "9", "A", ""], "W3C tonechange events (seed \(seed))")
        // The events did not disturb the audio they share the stream with.
        let peak = peakFrequency(p.b.receivedAudio.suffix(48000), low: 300, high: 1000)
        #expect(abs(peak - 440) <= 5, "B heard \(peak) Hz (seed \(seed))")
        let inbound = try #require(p.b.rtpStats("inbound-rtp", .audio))
        #expect((inbound.int("packetsLost") ?? -1) == 0, "events share the audio's sequence numbers (seed \(seed))")
    }

    @Test func noDTMFWhenThePeerDoesNotOfferTelephoneEvent() throws {
        let p = try MediaPair(seed: 5, link: LinkConditions(delay: .milliseconds(5)))
        _ = try p.a.pc.createDataChannel("sync")
        try p.a.addAudioTrack()
        let offer = try p.a.pc.setLocalDescription()
        // A peer that knows no telephone-event: strip it from the offer it receives.
        let stripped = offer.sdp.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("101 ") && !$0.hasSuffix(":101") }
            .map { $0.hasPrefix("m=audio") && $0.hasSuffix(" 111 101") ? String($0.dropLast(4)) : String($0) }
            .joined(separator: "\r\n")
        #expect(!stripped.contains("telephone-event") && stripped.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"))
        try p.b.pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: stripped))
        try p.b.addAudioTrack()
        let answer = try p.b.pc.setLocalDescription()
        #expect(!answer.sdp.contains("telephone-event"))
        try p.a.pc.setRemoteDescription(answer)
        let h = try #require(p.a.audioSender)
        #expect(p.a.pc.transceivers.first?.telephoneEventPayloadType == nil)
        #expect(!p.a.pc.canInsertDTMF(h))
        #expect(throws: PeerConnectionError.self) {
            try p.a.pc.sendTelephoneEvent(h, TelephoneEvent(event: 1, isEnd: false, duration: 0), timestamp: 0, marker: true)
        }
    }
}
