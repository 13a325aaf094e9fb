import MediaTestSupport
import Media
import NetSim
import PeerConnection
import Testing
import WireKit

/// W3C `RTCRtpTransceiver.stop()` on a live data-channel session (JSEP §5.2.2, §5.3.1): the
/// stopped transceiver's m-line goes to port 0 in the next exchange, both sides drop the
/// transceiver, a later track recycles the m-line with a new mid, and the data channel keeps
/// delivering messages in order throughout.
@Suite struct TransceiverStopTests {
    /// The m-lines of `sdp`: (kind, port, mid).
    static func mLines(_ sdp: String) -> [(kind: String, port: String, mid: String?)] {
        var out: [(String, String, String?)] = []
        for line in sdp.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("m=") {
                let f = line.dropFirst(2).split(separator: " ")
                out.append((String(f.first ?? ""), f.count > 1 ? String(f[1]) : "", nil))
            } else if line.hasPrefix("a=mid:"), !out.isEmpty {
                out[out.count - 1].2 = String(line.dropFirst(6))
            }
        }
        return out
    }

    static func bundle(_ sdp: String) -> String? {
        sdp.split(whereSeparator: \.isNewline).first { $0.hasPrefix("a=group:BUNDLE") }.map(String.init)
    }

    @Test(arguments: [UInt64(11)])
    func stoppedAudioIsRejectedRecycledAndTheChannelKeepsFlowing(seed: UInt64) throws {
        let p = try MediaPair(seed: seed, link: LinkConditions(delay: .milliseconds(10)))
        let dc = try p.a.pc.createDataChannel("sync")
        try p.a.negotiate()
        try p.run { p.a.pc.dataChannel(dc)?.readyState == .open && p.b.isConnected }
        var sent: [String] = []
        func say(_ text: String) throws {
            sent.append(text)
            try p.a.pc.send(text: text, on: dc)
        }
        try say("before the call")

        // Call 1: an audio m-line (mid 1) is added by renegotiation and the tone flows.
        try p.a.addAudioTrack()
        try p.a.negotiate { b in try b.addAudioTrack() }
        try say("call 1")
        try p.run(maxTime: .seconds(10)) { p.b.audioPacketsReceived >= 50 && p.a.audioPacketsReceived >= 50 }
        let first = try #require(p.a.pc.currentLocalDescription?.sdp)
        #expect(Self.mLines(first).map(\.mid) == ["0", "1"] && Self.mLines(first)[1].kind == "audio", "seed \(seed)")
        let firstTrack = try #require(p.b.tracks.last)

        // Hang up: stop() stops sending at once and asks for negotiation; the offer and the
        // answer carry the m-line with port 0 and keep it out of the BUNDLE group.
        let handle = try #require(p.a.pc.transceivers.first { $0.kind == .audio }?.handle)
        let eventsBefore = p.a.events.count
        try p.a.stopAudioTransceiver()
        p.a.drain()
        #expect(p.a.events[eventsBefore...].contains(.negotiationNeeded), "seed \(seed)")
        #expect(p.a.pc.transceiver(handle)?.stopped == true)
        #expect(try p.a.pc.sendAudio(handle, opus: [0xFC, 1, 2, 3], timestamp: 0) == false, "a stopped transceiver sends nothing")
        try say("hanging up")
        try p.a.negotiate()
        let offer = try #require(p.a.pc.currentLocalDescription?.sdp)
        let answer = try #require(p.a.pc.currentRemoteDescription?.sdp)
        for sdp in [offer, answer] {
            let lines = Self.mLines(sdp)
            #expect(lines.count == 2 && lines[1].kind == "audio" && lines[1].port == "0" && lines[1].mid == "1", "\(sdp)")
            #expect(Self.bundle(sdp) == "a=group:BUNDLE 0", "\(sdp)")
        }
        #expect(p.a.pc.transceivers.isEmpty && p.b.pc.transceivers.isEmpty, "stopped transceivers leave getTransceivers() (seed \(seed))")
        try p.run(for: .milliseconds(300))
        let afterStop = p.b.audioPacketsReceived
        try say("between calls")
        try p.run(for: .seconds(1))
        #expect(p.b.audioPacketsReceived == afterStop, "no audio after the stop (seed \(seed))")
        #expect(p.b.messages.count == sent.count, "seed \(seed)")

        // Call 2: the new audio transceiver recycles m-line 1 with a new mid (2); no m-line is added.
        try p.a.addAudioTrack()
        try p.a.negotiate { b in try b.addAudioTrack() }
        let second = try #require(p.a.pc.currentLocalDescription?.sdp)
        let lines = Self.mLines(second)
        #expect(lines.count == 2 && lines[1].kind == "audio" && lines[1].port == "9" && lines[1].mid == "2", "\(second)")
        #expect(Self.bundle(second) == "a=group:BUNDLE 0 2", "\(second)")
        let secondTrack = try #require(p.b.tracks.last)
        #expect(secondTrack.mid == "2" && secondTrack.transceiver != firstTrack.transceiver, "seed \(seed)")
        try say("call 2")
        let resumed = p.b.audioPacketsReceived
        try p.run(maxTime: .seconds(10)) { p.b.audioPacketsReceived >= resumed + 100 }
        let peak = peakFrequency(p.b.receivedAudio.suffix(24000), low: 300, high: 1000)
        #expect(abs(peak - 440) <= 5, "B heard \(peak) Hz on the recycled m-line (seed \(seed))")

        // The answerer stops its side: its answer rejects the m-line, and the offerer's
        // transceiver goes too.
        let bHandle = try #require(p.b.pc.transceivers.first { $0.kind == .audio }?.handle)
        try p.b.pc.stopTransceiver(bHandle)
        try p.a.negotiate()
        let rejected = try #require(p.a.pc.currentRemoteDescription?.sdp)
        #expect(Self.mLines(rejected).map(\.port) == ["9", "0"], "\(rejected)")
        #expect(p.a.pc.transceivers.isEmpty && p.b.pc.transceivers.isEmpty, "seed \(seed)")
        try say("after call 2")
        try p.run(maxTime: .seconds(5)) { p.b.messages.count == sent.count }
        #expect(p.b.messages.map { String(decoding: $0, as: UTF8.self) } == sent, "seed \(seed)")
    }

    /// The answerer stops its own transceiver and makes the offer itself (renegotiation in the
    /// other direction); later both sides offer at once, and perfect negotiation settles it: the
    /// original offerer (impolite) ignores the crossing offer, the answerer (polite) rolls its
    /// own back by applying the peer's, and its answer still rejects the m-line it stopped.
    @Test(arguments: [UInt64(12)])
    func answererStopsAndOffersAndCrossingOffersSettle(seed: UInt64) throws {
        let p = try MediaPair(seed: seed, link: LinkConditions(delay: .milliseconds(10)))
        let dc = try p.a.pc.createDataChannel("sync")
        try p.a.negotiate()
        try p.run { p.a.pc.dataChannel(dc)?.readyState == .open && p.b.isConnected }
        var sent: [String] = []
        func say(_ text: String) throws {
            sent.append(text)
            try p.a.pc.send(text: text, on: dc)
        }
        try p.a.addAudioTrack()
        try p.a.negotiate { b in try b.addAudioTrack() }
        try p.run(maxTime: .seconds(10)) { p.b.audioPacketsReceived >= 50 }
        try say("call 1")

        // B, the answerer, ends the call: it stops its transceiver and offers; A answers.
        try p.b.stopAudioTransceiver()
        try p.b.negotiate()
        let offer = try #require(p.b.pc.currentLocalDescription?.sdp)
        let answer = try #require(p.b.pc.currentRemoteDescription?.sdp)
        for sdp in [offer, answer] {
            #expect(Self.mLines(sdp).map(\.port) == ["9", "0"] && Self.bundle(sdp) == "a=group:BUNDLE 0", "\(sdp)")
        }
        #expect(offer.contains("a=setup:active") || offer.contains("a=setup:passive"), "a later offer keeps the DTLS role: \(offer)")
        #expect(p.a.pc.transceivers.isEmpty && p.b.pc.transceivers.isEmpty, "seed \(seed)")
        try p.run(for: .milliseconds(300))
        let afterStop = p.b.audioPacketsReceived
        try say("after B's stop")
        try p.run(for: .seconds(1))
        #expect(p.b.audioPacketsReceived == afterStop && p.a.pc.connectionState == .connected, "seed \(seed)")

        // Call 2 (A offers again: the m-line is recycled with a new mid), then crossing offers:
        // B stops and offers while A adds video and offers.
        try p.a.addAudioTrack()
        try p.a.negotiate { b in try b.addAudioTrack() }
        try p.run(maxTime: .seconds(10)) { p.b.audioPacketsReceived >= afterStop + 50 }
        #expect(Self.mLines(try #require(p.a.pc.currentLocalDescription?.sdp)).map(\.mid) == ["0", "2"])
        try p.b.stopAudioTransceiver()
        let offerB = try p.b.pc.setLocalDescription()
        #expect(p.b.pc.signalingState == .haveLocalOffer)
        try p.a.addVideoTrack()
        let offerA = try p.a.pc.setLocalDescription()
        // A has an offer out: as the impolite peer it ignores B's (does not apply it; applying
        // it would roll A's own back, the polite move).
        #expect(offerB.type == .offer && Self.mLines(offerB.sdp).map(\.port) == ["9", "0"], "\(offerB.sdp)")
        // B, polite, applies A's offer (its own is rolled back) and answers with a video track.
        try p.b.pc.setRemoteDescription(offerA)
        try p.b.addVideoTrack()
        let answerB = try p.b.pc.setLocalDescription()
        try p.a.pc.setRemoteDescription(answerB)
        p.a.drain()
        p.b.drain()
        let lines = Self.mLines(answerB.sdp)
        #expect(lines.map(\.kind) == ["application", "audio", "video"] && lines.map(\.port) == ["9", "0", "9"], "\(answerB.sdp)")
        #expect(p.a.pc.signalingState == .stable && p.b.pc.signalingState == .stable)
        #expect(p.a.pc.transceivers.map(\.kind) == [.video] && p.b.pc.transceivers.map(\.kind) == [.video],
                "the stop survived the rollback (seed \(seed))")
        try p.run(maxTime: .seconds(10)) { p.b.decodedFrames.count >= 10 }
        try say("after the crossing")
        try p.run(maxTime: .seconds(5)) { p.b.messages.count == sent.count }
        #expect(p.b.messages.map { String(decoding: $0, as: UTF8.self) } == sent, "seed \(seed)")
    }
}
