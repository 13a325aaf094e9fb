import Media
import PeerConnection
import RTCDriver
import RTP
import WireKit

/// The audio of one active call: every 20 ms a frame from the input is Opus-encoded and sent on
/// the connection's audio transceiver; received packets go through an ``OpusReceiver`` (jitter
/// buffer, FEC, concealment) to the output. DTMF digits are sent as RFC 4733 telephone-events
/// (``DTMFSender`` paced on the same loop) and received ones are collected.
///
/// Created when a call becomes active and dropped when it ends, so no codec state exists
/// while there is no call. RTP timestamps count 48 kHz ticks from `epoch` (the connection's
/// start), so they keep increasing from one call to the next on the same transceiver.
actor CallAudio {
    private let driver: RTCDriver
    private let epoch: Instant
    private var source: any AudioSource
    /// The `--output` WAV file, written as the call goes (nil for other outputs).
    private let wavWriter: WAVFileWriter?
    private let inputStream: PulseAudioStream?
    private let outputStream: PulseAudioStream?
    /// The input in use (for the status: `default` says whether a sound server was found).
    nonisolated let inputInUse: String
    /// The output in use.
    nonisolated let outputInUse: String
    private let encoder: OpusEncoder
    private let receiver: OpusReceiver
    private var transceiver: TransceiverHandle?
    private var dtmfSender: DTMFSender
    private var dtmfReceiver = DTMFReceiver(clockRate: 48000)
    private var nextFrame: Instant
    private var loop: Task<Void, Never>?
    /// Opus frames handed to the connection (DTX frames excluded).
    private(set) var framesSent = 0
    /// Frames played out (decoded, recovered or concealed).
    private(set) var framesPlayed = 0
    /// The capture time of the input's first sample (the 20 ms tick it was read for) and when
    /// the output's first sample was played: with both daemons on one machine, positions in the
    /// input and output files map to one clock (contrib/bench/call-bench.py measures latency so).
    private(set) var inputStartedAt: Instant?
    private(set) var outputStartedAt: Instant?

    static let frame: Duration = .milliseconds(20)
    static let samplesPerFrame = 960

    /// A pipeline on `driver`'s audio transceiver with `input` and `output`; codecs are created here.
    init(driver: RTCDriver, epoch: Instant, input: AudioInputSpec, output: AudioOutputSpec) throws(DaemonError) {
        self.driver = driver
        self.epoch = epoch
        let opened = try input.open()
        source = opened.source
        inputStream = opened.stream
        inputInUse = opened.inUse
        let out: (stream: PulseAudioStream?, inUse: String)
        do { out = try output.open() } catch {
            opened.stream?.close()
            throw error
        }
        outputStream = out.stream
        outputInUse = out.inUse
        do {
            encoder = try OpusEncoder(bitrate: 32000, dtx: true)
            receiver = try OpusReceiver()
        } catch {
            opened.stream?.close()
            out.stream?.close()
            throw .io("cannot start the Opus codec: \(error)")
        }
        if case .wav(let path) = output {
            do { wavWriter = try WAVFileWriter(path: path) } catch {
                opened.stream?.close()
                throw .io("cannot create \(path): \(error)")
            }
        } else {
            wavWriter = nil
        }
        nextFrame = Self.aligned(.monotonicNow(), epoch: epoch)
        dtmfSender = DTMFSender(clockRate: 48000, timeBase: epoch, timestampBase: 0)
    }

    /// The first 20 ms boundary (counted from `epoch`) at or after `t`.
    static func aligned(_ t: Instant, epoch: Instant) -> Instant {
        let elapsed = max(0, (t - epoch).nanosecondsClamped)
        let step = frame.nanosecondsClamped
        return epoch + .nanoseconds((elapsed + step - 1) / step * step)
    }

    /// The jitter buffer's share of concealed or recovered frames.
    var concealedShare: Double { receiver.jitterBuffer.statistics.concealedShare }

    /// Starts the send/playout loop.
    func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// A received Opus packet of the call.
    func receive(_ packet: RTPPacket) { receiver.insert(packet, now: .monotonicNow()) }

    /// A received telephone-event packet; returns the digits it completed.
    func receiveTelephoneEvent(_ packet: RTPPacket) -> [ReceivedDTMF] {
        dtmfReceiver.handle(packet)
        var out: [ReceivedDTMF] = []
        while let d = dtmfReceiver.pollEvent() { out.append(d) }
        return out
    }

    /// W3C `insertDTMF`: queues `digits` (replacing what is still queued) as RFC 4733 events;
    /// the loop, which wakes at least every 20 ms, starts the first tone.
    func insertDTMF(_ digits: String, duration: Int, gap: Int) async throws(DaemonError) {
        let known = transceiver
        let can = (try? await driver.withConnection { pc -> Bool in
            guard let h = known ?? pc.transceivers.first(where: { $0.kind == .audio && !$0.stopped && $0.currentDirection?.sends == true })?.handle else {
                return false
            }
            return pc.canInsertDTMF(h)
        }) ?? false
        guard can else {
            throw .conflict("DTMF cannot be sent: the call's audio is not negotiated with telephone-event yet",
                            hint: "wait a moment after the call is accepted; the other device must support RFC 4733")
        }
        do { try dtmfSender.insertDTMF(digits, duration: duration, interToneGap: gap, now: .monotonicNow()) } catch {
            switch error {
            case .invalidCharacter(let c): throw .badRequest("\"\(c)\" is not a DTMF digit", hint: "use 0-9, *, #, A-D, and , for a 2 s pause")
            case .invalidState: throw .conflict("DTMF cannot be sent now", hint: nil)
            }
        }
    }

    /// Stops the loop and completes the output file; returns an error text if writing failed.
    func stop() -> String? {
        loop?.cancel()
        loop = nil
        inputStream?.close()
        outputStream?.close()
        guard let w = wavWriter else { return nil }
        do { try w.finish() } catch { return "cannot write \(w.path): \(error)" }
        return nil
    }

    private func run() async {
        while !Task.isCancelled {
            await step()
            var wake = nextFrame
            if let due = receiver.pollTimeout(), due < wake { wake = due }
            if let due = dtmfSender.pollTimeout(), due < wake { wake = due }
            let now = Instant.monotonicNow()
            if wake > now { try? await Task.sleep(for: wake - now) }
        }
    }

    private func step() async {
        var now = Instant.monotonicNow()
        if now - nextFrame > .milliseconds(200) { nextFrame = Self.aligned(now, epoch: epoch) } // fell behind: skip ahead
        var frames: [(opus: [UInt8], timestamp: UInt32)] = []
        while nextFrame <= now {
            let tick = (nextFrame - epoch).nanosecondsClamped / Self.frame.nanosecondsClamped
            let pcm = source.read(frameCount: Self.samplesPerFrame) ?? .silence(frameCount: Self.samplesPerFrame)
            if inputStartedAt == nil { inputStartedAt = nextFrame }
            if pcm.frameCount == Self.samplesPerFrame, let opus = try? encoder.encode(pcm) {
                frames.append((opus, UInt32(truncatingIfNeeded: tick &* Int64(Self.samplesPerFrame))))
            }
            nextFrame += Self.frame
        }
        dtmfSender.handle(timeout: now)
        var events: [DTMFPacketOut] = []
        while let p = dtmfSender.pollPacket() { events.append(p) }
        while dtmfSender.pollEvent() != nil {}
        if !frames.isEmpty || !events.isEmpty { framesSent += await send(frames, events) }
        now = .monotonicNow()
        while let due = receiver.pollTimeout(), due <= now, let pcm = receiver.pollFrame(now: now) {
            framesPlayed += 1
            if outputStartedAt == nil { outputStartedAt = now }
            wavWriter?.write(pcm)
            outputStream?.write(pcm)
        }
    }

    /// Sends encoded frames on the audio transceiver (found once negotiation made it sending).
    private func send(_ frames: [(opus: [UInt8], timestamp: UInt32)], _ events: [DTMFPacketOut]) async -> Int {
        let known = transceiver
        let result = try? await driver.withConnection { pc -> (TransceiverHandle?, Int) in
            guard let h = known ?? pc.transceivers.first(where: { $0.kind == .audio && !$0.stopped && $0.currentDirection?.sends == true })?.handle else {
                return (nil, 0)
            }
            var n = 0
            for f in frames where (try? pc.sendAudio(h, opus: f.opus, timestamp: f.timestamp)) == true { n += 1 }
            for e in events { _ = try? pc.sendTelephoneEvent(h, e.event, timestamp: e.timestamp, marker: e.marker) }
            return (h, n)
        }
        if let h = result?.0 { transceiver = h }
        return result?.1 ?? 0
    }
}
