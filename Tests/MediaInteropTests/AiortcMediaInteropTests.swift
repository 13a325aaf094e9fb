import MediaTestSupport
import Foundation
import Media
import PeerConnection
import RTP
import Testing
import WireKit

/// Voice both ways with aiortc over loopback UDP: our PeerConnection offers a data channel
/// and an Opus track (a 660 Hz tone); aiortc (contrib/interop/aiortc_media_peer.py) answers with
/// a 440 Hz tone from an AudioStreamTrack generator. We decode aiortc's audio through our
/// jitter buffer and Opus decoder and find 440 Hz; aiortc decodes ours and finds 660 Hz.
/// Video both ways too: our VP8 test pattern (160x120) and aiortc's VideoStreamTrack (640x480).
@Suite(.serialized) struct AiortcMediaInteropTests {
    /// The real-time poll loop runs on a thread of its own (``onOwnThread(_:)``), not on the
    /// cooperative pool where it would starve other tests for its duration.
    @Test func opusAndVP8BothWaysWithAiortc() async throws {
        try await onOwnThread { try opusAndVP8BothWays() }
    }

    private func opusAndVP8BothWays() throws {
        let python = try interopPython()
        let script = packageRoot() + "/contrib/interop/aiortc_media_peer.py"
        let child = try SignalingChild(executable: python, arguments: [script, "--tone", "440", "--seconds", "3"])
        defer { child.stop() }
        let h = try UDPPeerHarness(seed: 0xA10, child: child)
        let pc = h.pc

        _ = try pc.createDataChannel("sync")
        let audio = try pc.addTrack(.audio)
        let video = try pc.addTrack(.video)
        let vp8 = try VP8Encoder(width: 160, height: 120, frameRate: 15, bitrateKbps: 300)
        var pattern = TestPatternSource(width: 160, height: 120)
        var videoIndex = 0
        var nextVideo: Instant?
        let decoder = try VP8Decoder()
        var decoded: [VideoFrame] = []
        var keyframeRequests = 0
        let offer = try pc.setLocalDescription()
        h.signal(["type": "offer", "sdp": offer.sdp])

        let encoder = try OpusEncoder(dtx: false)
        var tone = ToneGenerator(frequency: 660, amplitude: 0.5)
        var timestamp: UInt32 = 0
        var nextFrame: Instant?
        let receiver = try OpusReceiver()
        var played: [Int16] = []
        var tracks: [TrackEvent] = []
        var candidatesEnded = false
        let start = Instant.monotonicNow()
        var mediaStart: Instant?
        var connected = false
        while Instant.monotonicNow() - start < .seconds(30) {
            h.step(until: [nextFrame, nextVideo, receiver.pollTimeout(), pc.pollTimeout()].compactMap { $0 }.min())
            let now = Instant.monotonicNow()
            while let event = pc.pollEvent() {
                switch event {
                case .iceCandidate(let c?):
                    h.signal(["type": "candidate", "candidate": c.candidate, "sdpMid": c.sdpMid ?? "0", "sdpMLineIndex": c.sdpMLineIndex ?? 0])
                case .iceCandidate(nil):
                    if !candidatesEnded { h.signal(["type": "end-of-candidates"]); candidatesEnded = true }
                case .track(let t): tracks.append(t)
                case .audioPacket(_, let p): receiver.insert(p, now: now)
                case .videoFrame(_, let f):
                    if let picture = try? decoder.decode(f.data) { decoded.append(picture) }
                case .keyframeRequested:
                    keyframeRequests += 1
                    vp8.requestKeyframe()
                default: break
                }
            }
            if pc.connectionState == .connected { connected = true }
            if pc.isMediaTransportReady, nextFrame == nil { nextFrame = now; nextVideo = now; mediaStart = now }
            while let due = nextVideo, due <= now {
                if let picture = pattern.nextFrame(), let encoded = try vp8.encode(picture) {
                    _ = try pc.sendVideo(video, frame: encoded.data, timestamp: UInt32(truncatingIfNeeded: videoIndex * 6000))
                }
                videoIndex += 1
                nextVideo = due + .milliseconds(66)
            }
            while let due = nextFrame, due <= now {
                if let frame = tone.read(frameCount: 960) {
                    _ = try pc.sendAudio(audio, opus: try encoder.encode(frame), timestamp: timestamp)
                }
                timestamp &+= 960
                nextFrame = due + .milliseconds(20)
            }
            while let due = receiver.pollTimeout(), due <= now, let frame = receiver.pollFrame(now: now) { played += frame.samples }
            h.flush()
            if let m = mediaStart, now - m > .seconds(8) { break }
            if !child.process.isRunning || child.result != nil { break }
        }
        // aiortc stops after 3 s of our audio; give it its RESULT, then read ours.
        child.closeInput()
        let deadline = Instant.monotonicNow() + .seconds(10)
        while child.process.isRunning, Instant.monotonicNow() < deadline { h.step(until: nil) }
        let log = child.stderrText
        #expect(connected, "aiortc log:\n\(log)")
        #expect(tracks.map(\.kind) == [.audio, .video], "aiortc log:\n\(log)")
        #expect(played.count >= 48000 * 2, "played \(played.count) samples; aiortc log:\n\(log)")
        if played.count >= 72000 {
            // From 0.5 s into playout, in 0.25 s windows: aiortc generates the tone in Python in
            // real time, so on a loaded machine one window can hold a gap or a concealed frame;
            // the median window must still peak at 440 Hz.
            let windows = stride(from: 24000, through: played.count - 12000, by: 12000).prefix(8).map {
                peakFrequency(played[$0..<($0 + 12000)], low: 300, high: 1000)
            }.sorted()
            let peak = windows[windows.count / 2]
            #expect(abs(peak - 440) <= 5, "we heard \(peak) Hz (windows \(windows)) from aiortc's 440 Hz tone")
        }
        let result = try #require(child.result, "no RESULT from aiortc; log:\n\(log)")
        let frames = result["frames"] as? Int ?? 0
        #expect(frames >= 100, "aiortc received \(frames) audio frames")
        let peak = result["peak_hz"] as? Double ?? 0
        #expect(abs(peak - 660) <= 5, "aiortc heard \(peak) Hz from our 660 Hz tone")
        // VP8 both ways: aiortc decodes our test pattern at its size; we decode aiortc's 640x480 frames.
        let videoFrames = result["video_frames"] as? Int ?? 0
        #expect(videoFrames >= 20, "aiortc decoded \(videoFrames) of our video frames")
        #expect(result["video_width"] as? Int == 160 && result["video_height"] as? Int == 120, "aiortc result \(result)")
        #expect(decoded.count >= 20, "we decoded \(decoded.count) of aiortc's video frames")
        #expect(decoded.allSatisfy { $0.width == 640 && $0.height == 480 })
        let stats = pc.getStats()
        let inbound = try #require(stats.all(ofType: "inbound-rtp").first)
        #expect((inbound.int("packetsReceived") ?? 0) > 100)
        let outbound = try #require(stats.all(ofType: "outbound-rtp").first)
        #expect((outbound.int("packetsSent") ?? 0) > 100)
    }
}
