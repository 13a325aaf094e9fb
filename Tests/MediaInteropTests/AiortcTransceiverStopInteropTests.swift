import MediaTestSupport
import Foundation
import Media
import PeerConnection
import Testing
import WireKit

/// Transceiver stop and m-line reuse against aiortc (contrib/interop/aiortc_media_peer.py
/// --until-eof) over loopback UDP, on a live connection with a data channel
/// (``runStopReuse(_:expectEcho:)``): call 1 (our 660 Hz tone, aiortc's 440 Hz); we stop our
/// transceiver and renegotiate, so the offer carries the m-line with port 0 and the transceiver
/// leaves our list; call 2 adds a new track, whose transceiver recycles that m-line with a new
/// mid (JSEP §5.2.2), and both tones flow again (ours now 880 Hz). aiortc echoes the data
/// channel throughout.
@Suite(.serialized) struct AiortcTransceiverStopInteropTests {
    @Test func stoppedAudioAndARecycledMLineWithAiortc() async throws {
        let python = try interopPython()
        let script = packageRoot() + "/contrib/interop/aiortc_media_peer.py"
        let child = try SignalingChild(executable: python, arguments: [script, "--tone", "440", "--until-eof"])
        defer { child.stop() }
        let h = try UDPPeerHarness(seed: 0xA11, child: child)
        let o = try await onOwnThread { try runStopReuse(h, expectEcho: true) }
        let log = child.stderrText
        #expect(o.phase == 4, "stuck in phase \(o.phase): packets \(o.packets), answers \(o.answers.count), errors \(h.signalingErrors)\naiortc:\n\(log)")
        guard o.answers.count >= 3 else { return }

        // The stop: our offer carried the m-line with port 0 (and the transport attributes aiortc
        // needs to parse it); aiortc 1.16 accepted it. aiortc does not implement rejection
        // (its answer keeps port 9 and it goes on sending on mid 1): the transceiver left our
        // list all the same and nothing received on the stopped m-line was delivered.
        let stopOffer = try #require(o.offers.first)
        #expect(mLines(stopOffer).map(\.port) == ["9", "0"] && mLines(stopOffer).map(\.mid) == ["0", "1"], "\(stopOffer)")
        #expect(stopOffer.contains("a=group:BUNDLE 0\r\n"), "the stopped m-line left the BUNDLE group: \(stopOffer)")
        #expect(mLines(o.answers[1]).map(\.mid) == ["0", "1"], "aiortc's answer to the stop: \(o.answers[1])")
        #expect(o.packetsWhileStopped == 0, "audio was delivered on a stopped transceiver")
        // Call 2 recycled m-line 1 with a new mid; no m-line was added.
        let local = try #require(o.localDescription)
        #expect(mLines(local).map(\.kind) == ["application", "audio"] && mLines(local).map(\.mid) == ["0", "2"], "\(local)")
        #expect(mLines(o.answers[2]).map(\.mid) == ["0", "2"], "aiortc's answer for call 2: \(o.answers[2])")
        #expect(o.transceivers.count == 1 && o.transceivers.first?.mid == "2")
        // Both calls were heard both ways at the right pitch.
        for (i, samples) in o.played.enumerated() where samples.count >= 36000 {
            let peak = peakFrequency(samples.suffix(24000), low: 300, high: 1000)
            #expect(abs(peak - 440) <= 5, "call \(i + 1): we heard \(peak) Hz from aiortc's 440 Hz")
        }
        #expect(o.played.allSatisfy { $0.count >= 36000 }, "played \(o.played.map(\.count)) samples")
        let result = try #require(child.result, "no RESULT from aiortc; log:\n\(log)")
        let tracks = (result["tracks"] as? [[String: Any]]) ?? []
        #expect(tracks.map { $0["mid"] as? String } == ["1", "2"], "aiortc tracks \(tracks)")
        for (track, hz) in zip(tracks, [660.0, 880.0]) {
            let peak = track["peak_hz"] as? Double ?? 0
            #expect((track["frames"] as? Int ?? 0) >= 50 && abs(peak - hz) <= 5, "aiortc heard \(peak) Hz on mid \(track["mid"] ?? "?"), want \(hz)")
        }
        #expect(o.echoed == o.sent, "data channel echo \(o.echoed) for \(o.sent)")
    }
}
