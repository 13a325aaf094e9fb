import DTLS
import Media
import NetSim
import PeerConnection
import RTP
import WireKit

/// Test support: a ``PeerConnection`` on NetSim plus a small media application around it:
/// a tone source encoded with Opus every 20 ms, a test pattern encoded with VP8, and on the
/// receive side an ``OpusReceiver`` (jitter buffer + decoder) and a ``VP8Decoder`` per track.
/// Everything runs on the simulation's virtual clock.
final class MediaEndpoint: SimulatedEndpoint {
    let pc: PeerConnection
    let name: String
    weak var peer: MediaEndpoint?
    private(set) var events: [PeerConnectionEvent] = []
    private(set) var messages: [[UInt8]] = []
    private var pendingCandidates: [ICECandidateInit?] = []
    var now: Instant = .zero

    // Send side.
    var toneFrequency: Double = 440
    private var tone: ToneGenerator
    private var opusEncoder: OpusEncoder
    private(set) var audioSender: TransceiverHandle?
    private var audioTimestamp: UInt32 = 0
    private var nextAudio: Instant?
    private var audioStart: Instant?
    private var dtmfSender: DTMFSender?
    private(set) var toneChanges: [String] = []
    private(set) var videoSender: TransceiverHandle?
    private var pattern = TestPatternSource(width: 160, height: 120)
    private var vp8Encoder: VP8Encoder?
    private var videoIndex = 0
    private var nextVideo: Instant?
    let frameInterval: Duration = .milliseconds(66)
    private(set) var keyframeRequests = 0

    // Receive side.
    private var audioReceivers: [TransceiverHandle: OpusReceiver] = [:]
    private(set) var receivedAudio: [Int16] = []
    private var vp8Decoders: [TransceiverHandle: VP8Decoder] = [:]
    private(set) var decodedFrames: [VideoFrame] = []
    private(set) var decodeErrors = 0
    private(set) var tracks: [TrackEvent] = []
    private var dtmfReceiver = DTMFReceiver(clockRate: 48000)
    private(set) var dtmfDigits: [ReceivedDTMF] = []

    init(_ name: String, seed: UInt64, address: TransportAddress, identity: DeviceIdentity, toneFrequency: Double) throws {
        self.name = name
        self.toneFrequency = toneFrequency
        tone = ToneGenerator(frequency: toneFrequency, amplitude: 0.5)
        opusEncoder = try OpusEncoder(dtx: false)
        pc = PeerConnection(configuration: PeerConnectionConfiguration(identity: identity, seed: seed))
        pc.addLocalInterface(address)
    }

    var isConnected: Bool { pc.connectionState == .connected }

    /// Starts sending a tone on a new audio track.
    func addAudioTrack() throws {
        audioSender = try pc.addTrack(.audio)
    }

    /// Starts sending the test pattern on a new video track.
    func addVideoTrack() throws {
        videoSender = try pc.addTrack(.video)
        vp8Encoder = try VP8Encoder(width: 160, height: 120, frameRate: 15, bitrateKbps: 300)
    }

    /// W3C `insertDTMF` on the audio track: RFC 4733 events on the audio's 48 kHz timeline.
    func insertDTMF(_ tones: String, duration: Int, gap: Int) throws {
        guard let start = audioStart else { throw PeerConnectionError.invalidState("audio not started") }
        if dtmfSender == nil { dtmfSender = DTMFSender(clockRate: 48000, timeBase: start, timestampBase: 0) }
        try dtmfSender?.insertDTMF(tones, duration: duration, interToneGap: gap, now: now)
    }

    /// Stops the audio transceiver (W3C `RTCRtpTransceiver.stop()`): the next exchange rejects its m-line.
    func stopAudioTransceiver() throws {
        guard let h = audioSender else { return }
        try pc.stopTransceiver(h)
        audioSender = nil
        nextAudio = nil
    }

    /// Audio RTP packets received so far.
    var audioPacketsReceived: Int {
        events.filter { if case .audioPacket = $0 { return true } else { return false } }.count
    }

    /// Stops sending video (W3C removeTrack).
    func removeVideoTrack() throws {
        guard let v = videoSender else { return }
        try pc.removeTrack(v)
        videoSender = nil
    }

    // MARK: SimulatedEndpoint

    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        self.now = now
        pc.handle(datagram: datagram, source: source, destination: destination, now: now)
        drain()
    }

    func handle(timeout now: Instant) {
        self.now = now
        pc.handle(timeout: now)
        runMediaApplication()
        drain()
    }

    func pollTransmit() -> Transmit? { drain(); return pc.pollTransmit() }

    func pollTimeout() -> Instant? {
        drain()
        var t = pc.pollTimeout()
        func consider(_ d: Instant?) { if let d, t.map({ d < $0 }) ?? true { t = d } }
        consider(nextAudio)
        consider(nextVideo)
        consider(dtmfSender?.pollTimeout())
        for r in audioReceivers.values { consider(r.pollTimeout()) }
        return t
    }

    /// The media application's own timers: capture/encode/send, playout.
    private func runMediaApplication() {
        if pc.isMediaTransportReady {
            if audioSender != nil, nextAudio == nil { nextAudio = now; audioStart = now }
            if vp8Encoder != nil, videoSender != nil, nextVideo == nil { nextVideo = now }
        }
        while let due = nextAudio, due <= now, let h = audioSender {
            if let frame = tone.read(frameCount: 960), let opus = try? opusEncoder.encode(frame) {
                _ = try? pc.sendAudio(h, opus: opus, timestamp: audioTimestamp)
            }
            audioTimestamp &+= 960
            nextAudio = due + .milliseconds(20)
        }
        if var d = dtmfSender, let h = audioSender {
            d.handle(timeout: now)
            while let p = d.pollPacket() { _ = try? pc.sendTelephoneEvent(h, p.event, timestamp: p.timestamp, marker: p.marker) }
            while case .toneChange(let t)? = d.pollEvent() { toneChanges.append(t) }
            dtmfSender = d
        }
        while let due = nextVideo, due <= now {
            guard let h = videoSender, let enc = vp8Encoder else { nextVideo = nil; break }
            if let frame = pattern.nextFrame(), let encoded = try? enc.encode(frame) {
                _ = try? pc.sendVideo(h, frame: encoded.data, timestamp: UInt32(truncatingIfNeeded: videoIndex * 6000))
            }
            videoIndex += 1
            nextVideo = due + frameInterval
        }
        for r in audioReceivers.values {
            while let due = r.pollTimeout(), due <= now, let frame = r.pollFrame(now: now) { receivedAudio += frame.samples }
        }
    }

    /// Drains events into the records, feeds received media to the decoders and delivers
    /// queued candidates to the peer.
    func drain() {
        while let event = pc.pollEvent() {
            events.append(event)
            switch event {
            case .iceCandidate(let c): pendingCandidates.append(c)
            case .message(_, let m): messages.append(m.data)
            case .track(let t): tracks.append(t)
            case .audioPacket(let h, let p):
                if audioReceivers[h] == nil { audioReceivers[h] = try? OpusReceiver() }
                audioReceivers[h]?.insert(p, now: now)
            case .telephoneEvent(_, let p):
                dtmfReceiver.handle(p)
                while let d = dtmfReceiver.pollEvent() { dtmfDigits.append(d) }
            case .videoFrame(let h, let f):
                if vp8Decoders[h] == nil { vp8Decoders[h] = try? VP8Decoder() }
                do {
                    if let picture = try vp8Decoders[h]?.decode(f.data) { decodedFrames.append(picture) }
                } catch {
                    decodeErrors += 1
                }
            case .keyframeRequested:
                keyframeRequests += 1
                vp8Encoder?.requestKeyframe()
            default: break
            }
        }
        // A stopped transceiver's playout ends with it (its jitter buffer would conceal forever).
        if audioReceivers.keys.contains(where: { pc.transceiver($0) == nil }) {
            audioReceivers = audioReceivers.filter { pc.transceiver($0.key) != nil }
        }
        if let peer, peer.pc.remoteDescription != nil, !pendingCandidates.isEmpty {
            let batch = pendingCandidates
            pendingCandidates.removeAll()
            for c in batch { try? peer.pc.addIceCandidate(c) }
        }
    }

    /// Offer from self, answer from `peer` (after `beforeAnswer` ran on it), both applied.
    func negotiate(beforeAnswer: (MediaEndpoint) throws -> Void = { _ in }) throws {
        guard let peer else { return }
        let offer = try pc.setLocalDescription()
        try peer.pc.setRemoteDescription(offer)
        try beforeAnswer(peer)
        let answer = try peer.pc.setLocalDescription()
        try pc.setRemoteDescription(answer)
        drain()
        peer.drain()
    }

    /// The inbound-rtp or outbound-rtp stats of `kind`.
    func rtpStats(_ type: String, _ kind: MediaKind) -> RTCStats? {
        pc.getStats().all(ofType: type).first { $0["kind"] == .string(kind.rawValue) }
    }
}

/// Two media endpoints on one simulated network.
struct MediaPair {
    let net: SimNetwork
    let a: MediaEndpoint
    let b: MediaEndpoint
    let seed: UInt64

    static let identityA: DeviceIdentity = {
        do { return try DeviceIdentity.generate(commonName: "a") } catch { preconditionFailure("key generation: \(error)") }
    }()
    static let identityB: DeviceIdentity = {
        do { return try DeviceIdentity.generate(commonName: "b") } catch { preconditionFailure("key generation: \(error)") }
    }()

    init(seed: UInt64, link: LinkConditions) throws {
        self.seed = seed
        net = SimNetwork(seed: seed)
        a = try MediaEndpoint("A", seed: seed &* 31 &+ 1, address: TransportAddress("198.51.100.1:5000")!,
                              identity: Self.identityA, toneFrequency: 440)
        b = try MediaEndpoint("B", seed: seed &* 31 &+ 2, address: TransportAddress("198.51.100.2:6000")!,
                              identity: Self.identityB, toneFrequency: 660)
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: link, downlink: .perfect)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: .perfect)
        a.peer = b
        b.peer = a
    }

    /// Runs until `done`, bounded in virtual time.
    func run(maxTime: Duration = .seconds(30), until done: () -> Bool) throws {
        try net.run(maxTime: maxTime) { a.drain(); b.drain(); return done() }
    }

    /// Runs for `duration` of virtual time.
    func run(for duration: Duration) throws {
        try net.run(for: duration)
    }
}
