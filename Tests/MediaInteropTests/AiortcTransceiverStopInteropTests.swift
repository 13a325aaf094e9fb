import MediaTestSupport
import Foundation
import Media
import PeerConnection
import RTP
import Testing
import WireKit

/// Transceiver stop and m-line reuse against aiortc (contrib/interop/aiortc_media_peer.py
/// --until-eof) over loopback UDP, on a live connection with a data channel: call 1 (our 660 Hz
/// tone, aiortc's 440 Hz); we stop our transceiver and renegotiate, so the offer carries the
/// m-line with port 0 and the transceiver leaves both sides' lists; call 2 adds a new track,
/// whose transceiver recycles that m-line with a new mid (JSEP §5.2.2), and both tones flow again
/// (ours now 880 Hz). aiortc echoes the data channel throughout.
@Suite(.serialized) struct AiortcTransceiverStopInteropTests {
    /// (kind, port, mid) of each m-line.
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

    @Test func stoppedAudioAndARecycledMLineWithAiortc() async throws {
        let python = try interopPython()
        let script = packageRoot() + "/contrib/interop/aiortc_media_peer.py"
        let child = try SignalingChild(executable: python, arguments: [script, "--tone", "440", "--until-eof"])
        defer { child.stop() }
        try await onOwnThread { try Self.run(child) }
    }

    /// The real-time part: phases driven by a poll loop on the wall clock.
    static func run(_ child: SignalingChild) throws {
        let h = try UDPPeerHarness(seed: 0xA11, child: child)
        let pc = h.pc
        let dc = try pc.createDataChannel("sync")
        var audio: TransceiverHandle? = try pc.addTrack(.audio)
        h.signal(["type": "offer", "sdp": try pc.setLocalDescription().sdp])

        let encoder = try OpusEncoder(dtx: false)
        var tone = ToneGenerator(frequency: 660, amplitude: 0.5)
        var timestamp: UInt32 = 0
        var nextFrame: Instant?
        var receiver = try OpusReceiver()
        var played: [[Int16]] = [[], []]
        var packets = [0, 0]
        var echoed: [String] = []
        var sent: [String] = []
        var candidatesEnded = false
        var answers: [String] = []
        var offers: [String] = []
        var phase = 0
        var phaseStart = Instant.monotonicNow()
        var packetsWhileStopped = 0
        let start = Instant.monotonicNow()
        func say(_ text: String) throws {
            sent.append(text)
            try pc.send(text: text, on: dc)
        }
        func offer() throws {
            let o = try pc.setLocalDescription()
            offers.append(o.sdp)
            h.signal(["type": "offer", "sdp": o.sdp])
        }
        while Instant.monotonicNow() - start < .seconds(40), phase < 4 {
            h.step(until: [nextFrame, receiver.pollTimeout(), pc.pollTimeout()].compactMap { $0 }.min())
            let now = Instant.monotonicNow()
            while let event = pc.pollEvent() {
                switch event {
                case .iceCandidate(let c?):
                    h.signal(["type": "candidate", "candidate": c.candidate, "sdpMid": c.sdpMid ?? "0", "sdpMLineIndex": c.sdpMLineIndex ?? 0])
                case .iceCandidate(nil):
                    if !candidatesEnded { h.signal(["type": "end-of-candidates"]); candidatesEnded = true }
                case .audioPacket(let t, let p):
                    if t == audio {
                        packets[phase < 2 ? 0 : 1] += 1
                        receiver.insert(p, now: now)
                    } else {
                        packetsWhileStopped += 1
                    }
                case .message(_, let m): echoed.append(String(decoding: m.data, as: UTF8.self))
                case .signalingStateChange(.stable):
                    if let remote = pc.currentRemoteDescription?.sdp { answers.append(remote) }
                default: break
                }
            }
            if pc.isMediaTransportReady, nextFrame == nil { nextFrame = now }
            while let due = nextFrame, due <= now {
                if let frame = tone.read(frameCount: 960), let a = audio {
                    _ = try pc.sendAudio(a, opus: try encoder.encode(frame), timestamp: timestamp)
                }
                timestamp &+= 960
                nextFrame = due + .milliseconds(20)
            }
            while let due = receiver.pollTimeout(), due <= now, let frame = receiver.pollFrame(now: now) {
                // Only while a call runs (between calls the old receiver conceals silence).
                if phase != 1 { played[phase == 0 ? 0 : 1] += frame.samples }
            }
            h.flush()
            switch phase {
            case 0 where packets[0] >= 100 && pc.dataChannel(dc)?.readyState == .open:
                // Call 1 flows: stop our transceiver and renegotiate.
                try say("call 1")
                if let a = audio { try pc.stopTransceiver(a) }
                audio = nil
                try offer()
                phase = 1
                phaseStart = now
            case 1 where answers.count >= 2 && now - phaseStart > .seconds(1):
                // The stop was answered, and a second passed without audio: call 2.
                try say("between calls")
                audio = try pc.addTrack(.audio)
                tone = ToneGenerator(frequency: 880, amplitude: 0.5)
                receiver = try OpusReceiver()
                try offer()
                phase = 2
                phaseStart = now
            case 2 where answers.count >= 3 && packets[1] >= 150:
                try say("call 2")
                phase = 3
            case 3 where echoed.count >= sent.count:
                phase = 4
            default:
                break
            }
            if !child.process.isRunning { break }
        }
        child.closeInput()
        let deadline = Instant.monotonicNow() + .seconds(10)
        while child.process.isRunning, Instant.monotonicNow() < deadline { h.step(until: nil) }
        let log = child.stderrText
        #expect(phase == 4, "stuck in phase \(phase): packets \(packets), answers \(answers.count), errors \(h.signalingErrors)\naiortc:\n\(log)")
        guard answers.count >= 3 else { return }

        // The stop: our offer carried the m-line with port 0 (and the transport attributes aiortc
        // needs to parse it); aiortc 1.16 accepted it. aiortc does not implement rejection
        // (its answer keeps port 9 and it goes on sending on mid 1): the transceiver left our
        // list all the same and nothing received on the stopped m-line was delivered.
        let stopOffer = try #require(offers.first)
        #expect(Self.mLines(stopOffer).map(\.port) == ["9", "0"] && Self.mLines(stopOffer).map(\.mid) == ["0", "1"], "\(stopOffer)")
        #expect(stopOffer.contains("a=group:BUNDLE 0\r\n"), "the stopped m-line left the BUNDLE group: \(stopOffer)")
        #expect(Self.mLines(answers[1]).map(\.mid) == ["0", "1"], "aiortc's answer to the stop: \(answers[1])")
        #expect(packetsWhileStopped == 0, "audio was delivered on a stopped transceiver")
        // Call 2 recycled m-line 1 with a new mid; no m-line was added.
        let local = try #require(pc.currentLocalDescription?.sdp)
        #expect(Self.mLines(local).map(\.kind) == ["application", "audio"] && Self.mLines(local).map(\.mid) == ["0", "2"], "\(local)")
        #expect(Self.mLines(answers[2]).map(\.mid) == ["0", "2"], "aiortc's answer for call 2: \(answers[2])")
        #expect(pc.transceivers.count == 1 && pc.transceivers.first?.mid == "2")
        // Both calls were heard both ways at the right pitch.
        for (i, samples) in played.enumerated() where samples.count >= 36000 {
            let peak = peakFrequency(samples.suffix(24000), low: 300, high: 1000)
            #expect(abs(peak - 440) <= 5, "call \(i + 1): we heard \(peak) Hz from aiortc's 440 Hz")
        }
        #expect(played.allSatisfy { $0.count >= 36000 }, "played \(played.map(\.count)) samples")
        let result = try #require(child.result, "no RESULT from aiortc; log:\n\(log)")
        let tracks = (result["tracks"] as? [[String: Any]]) ?? []
        #expect(tracks.map { $0["mid"] as? String } == ["1", "2"], "aiortc tracks \(tracks)")
        for (track, hz) in zip(tracks, [660.0, 880.0]) {
            let peak = track["peak_hz"] as? Double ?? 0
            #expect((track["frames"] as? Int ?? 0) >= 50 && abs(peak - hz) <= 5, "aiortc heard \(peak) Hz on mid \(track["mid"] ?? "?"), want \(hz)")
        }
        #expect(echoed == sent, "data channel echo \(echoed) for \(sent)")
    }
}
