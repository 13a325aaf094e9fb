import MediaTestSupport
import Foundation
import Media
import PeerConnection
import RTP
import WireKit

/// What ``runStopReuse(_:expectEcho:)`` saw: the descriptions exchanged, the audio heard on
/// each call, and the data channel's messages.
struct StopReuseOutcome {
    /// 4 when every phase completed (call 1, stop, call 2, data echoed or sent).
    var phase = 0
    /// Our offers after the first: the stop, then call 2.
    var offers: [String] = []
    /// The peer's answers, in order (the first, the stop's, call 2's).
    var answers: [String] = []
    /// Audio we played during call 1 and call 2.
    var played: [[Int16]] = [[], []]
    /// Audio packets received on each call's transceiver.
    var packets = [0, 0]
    /// Audio packets delivered on any other transceiver (a stopped one).
    var packetsWhileStopped = 0
    /// Data channel messages sent and echoed back.
    var sent: [String] = []
    var echoed: [String] = []
    /// Our transceivers and local description at the end.
    var transceivers: [TransceiverInfo] = []
    var localDescription: String?
}

/// Stop and reuse on a live connection with a peer process: we offer a data channel and an
/// audio track (660 Hz); once the peer's audio flows we stop our transceiver and renegotiate,
/// a second later add a new track (880 Hz) whose transceiver recycles the m-line, and wait for
/// the peer's audio on it. Phases are driven by a real-time poll loop: run it off the
/// cooperative pool (``onOwnThread(_:)``). `expectEcho`: the peer echoes the data channel.
func runStopReuse(_ h: UDPPeerHarness, expectEcho: Bool) throws -> StopReuseOutcome {
    let pc = h.pc
    let child = h.child
    var o = StopReuseOutcome()
    let dc = try pc.createDataChannel("sync")
    var audio: TransceiverHandle? = try pc.addTrack(.audio)
    h.signal(["type": "offer", "sdp": try pc.setLocalDescription().sdp])

    let encoder = try OpusEncoder(dtx: false)
    var tone = ToneGenerator(frequency: 660, amplitude: 0.5)
    var timestamp: UInt32 = 0
    var nextFrame: Instant?
    var receiver = try OpusReceiver()
    var candidatesEnded = false
    var phaseStart = Instant.monotonicNow()
    let start = Instant.monotonicNow()
    func say(_ text: String) throws {
        o.sent.append(text)
        try pc.send(text: text, on: dc)
    }
    func offer() throws {
        let d = try pc.setLocalDescription()
        o.offers.append(d.sdp)
        h.signal(["type": "offer", "sdp": d.sdp])
    }
    // 40 s once the peer has answered (a browser starting on a loaded machine is not counted), 90 s in all.
    func withinWindow(_ now: Instant) -> Bool {
        if now - start > .seconds(90) { return false }
        guard let answered = h.remoteDescriptionAt else { return true }
        return now - answered < .seconds(40)
    }
    while withinWindow(Instant.monotonicNow()), o.phase < 4, child.process.isRunning {
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
                    o.packets[o.phase < 2 ? 0 : 1] += 1
                    receiver.insert(p, now: now)
                } else {
                    o.packetsWhileStopped += 1
                }
            case .message(_, let m): o.echoed.append(String(decoding: m.data, as: UTF8.self))
            case .signalingStateChange(.stable):
                if let remote = pc.currentRemoteDescription?.sdp { o.answers.append(remote) }
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
            if o.phase != 1 { o.played[o.phase == 0 ? 0 : 1] += frame.samples }
        }
        h.flush()
        switch o.phase {
        case 0 where o.packets[0] >= 100 && pc.dataChannel(dc)?.readyState == .open:
            // Call 1 flows: stop our transceiver and renegotiate.
            try say("call 1")
            if let a = audio { try pc.stopTransceiver(a) }
            audio = nil
            try offer()
            o.phase = 1
            phaseStart = now
        case 1 where o.answers.count >= 2 && now - phaseStart > .seconds(1):
            // The stop was answered, and a second passed without audio: call 2.
            try say("between calls")
            audio = try pc.addTrack(.audio)
            tone = ToneGenerator(frequency: 880, amplitude: 0.5)
            receiver = try OpusReceiver()
            try offer()
            o.phase = 2
            phaseStart = now
        case 2 where o.answers.count >= 3 && o.packets[1] >= 150:
            try say("call 2")
            o.phase = 3
        case 3 where !expectEcho || o.echoed.count >= o.sent.count:
            o.phase = 4
        default:
            break
        }
    }
    o.transceivers = pc.transceivers
    o.localDescription = pc.currentLocalDescription?.sdp
    // Ask the peer for its result (stdin EOF) while still answering its packets.
    child.closeInput()
    let deadline = Instant.monotonicNow() + .seconds(15)
    while child.process.isRunning, child.result == nil, Instant.monotonicNow() < deadline { h.step(until: nil) }
    return o
}

/// (kind, port, mid) of each m-line of `sdp`.
func mLines(_ sdp: String) -> [(kind: String, port: String, mid: String?)] {
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
