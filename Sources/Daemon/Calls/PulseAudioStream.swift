import CPulseDL
import Foundation
import Media

/// A PulseAudio stream (PipeWire's pulse server works too) through libpulse-simple, which is
/// loaded with dlopen the first time a call uses a sound device.
///
/// libpulse-simple blocks, so each stream has its own I/O thread and a short queue of 20 ms
/// frames: the call's 20 ms loop never waits for the sound card. A recording queue drops its
/// oldest frames beyond ``maxQueuedFrames`` (the sound card runs faster than the loop); a
/// playback queue drops new frames beyond it (the card runs slower), and the card plays silence
/// when the queue runs dry.
final class PulseAudioStream: @unchecked Sendable {
    // @unchecked: `queue`, `primed` and `stopped` are only touched with `condition` locked; the
    // libpulse handle lives on the I/O thread only (opened, used and freed there).
    enum Direction: Sendable { case record, playback }

    let direction: Direction
    /// The source or sink asked for (nil: the server's default).
    let device: String?
    private let condition = NSCondition()
    private var queue: [[Int16]] = []
    private var stopped = false
    private var primed = false
    /// Recorded frames queued before reading starts.
    static let primeFrames = 2
    /// At most this many 20 ms frames wait in the queue.
    static let maxQueuedFrames = 5
    static let samplesPerFrame = 960

    /// True when a sound server seems to be there: `$PULSE_SERVER` is set or
    /// `$XDG_RUNTIME_DIR/pulse/native` exists (PipeWire's pulse server makes it too). `default`
    /// devices try the server only then, so a headless syncd never loads libpulse (nor lets it
    /// autospawn a server).
    static var serverAvailable: Bool {
        let env = ProcessInfo.processInfo.environment
        if let s = env["PULSE_SERVER"], !s.isEmpty { return true }
        guard let run = env["XDG_RUNTIME_DIR"], !run.isEmpty else { return false }
        return FileManager.default.fileExists(atPath: run + "/pulse/native")
    }

    /// Opens a 48 kHz mono stream on the default (or `server`) sound server; throws the server's
    /// error text when there is none. The connection is made on the stream's own I/O thread and
    /// waited for at most ``openTimeout``, so a hung server cannot block the caller.
    init(_ direction: Direction, device: String?, server: String? = nil) throws(DaemonError) {
        self.direction = direction
        self.device = device
        let opening = Opening()
        let bytes = UInt32(Self.samplesPerFrame * 2)
        let t = Thread { [self] in
            var error: Int32 = 0
            let raw = cpulse_simple_new(server, "syncd", direction == .record ? 1 : 0, device,
                                        direction == .record ? "call input" : "call output", 48000, 1,
                                        direction == .record ? bytes : bytes * 4, &error)
            guard opening.finish(raw, error: error), let raw else {
                if let raw { cpulse_simple_free(raw) } // opened after the caller gave up
                return
            }
            direction == .record ? recordLoop(raw) : playbackLoop(raw)
        }
        t.name = direction == .record ? "syncd-pulse-rec" : "syncd-pulse-play"
        t.start()
        guard opening.wait(timeout: Self.openTimeout) == true else {
            let why = opening.errorText ?? "the sound server did not answer within \(Self.openTimeout)"
            throw .unavailable("no sound server for the call's \(direction == .record ? "input" : "output"): \(why)",
                               hint: "start PulseAudio or PipeWire, or use a WAV file, tone:<Hz> or null")
        }
    }

    /// How long opening a stream may take.
    static let openTimeout: Duration = .seconds(3)

    /// The hand-over between ``init(_:device:server:)`` and the I/O thread that connects.
    private final class Opening: @unchecked Sendable {
        // @unchecked: every field is only touched with `condition` locked.
        private let condition = NSCondition()
        private var done = false
        private var opened = false
        private var gaveUp = false
        private(set) var errorText: String?

        /// The thread's result; false when the caller already gave up (the stream must be freed).
        func finish(_ raw: UnsafeMutableRawPointer?, error: Int32) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            done = true
            opened = raw != nil
            if raw == nil { errorText = String(cString: cpulse_strerror(error)) }
            condition.broadcast()
            return !gaveUp
        }

        /// Waits for the result: whether the stream opened, nil on timeout (the thread then frees what it opens).
        func wait(timeout: Duration) -> Bool? {
            condition.lock()
            defer { condition.unlock() }
            let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
            while !done { if !condition.wait(until: deadline) { break } }
            guard done else { gaveUp = true; return nil }
            return opened
        }
    }

    /// The next recorded 20 ms frame, or silence when none is ready. Reading starts (and, after
    /// running dry, starts again) once ``primeFrames`` are queued, which absorbs the jitter
    /// between the sound card's clock and the call's loop.
    func read() -> AudioFrame {
        condition.lock()
        defer { condition.unlock() }
        if !primed && queue.count >= Self.primeFrames { primed = true }
        guard primed, !queue.isEmpty else {
            primed = false
            return .silence(frameCount: Self.samplesPerFrame)
        }
        return AudioFrame(samples: queue.removeFirst())
    }

    /// Queues a frame for playback.
    func write(_ frame: AudioFrame) {
        condition.lock()
        if queue.count < Self.maxQueuedFrames { queue.append(frame.samples) }
        condition.signal()
        condition.unlock()
    }

    /// Stops the I/O thread, which then frees the stream (a blocked read ends within 20 ms).
    /// A stream whose opening timed out was never returned, so there is nothing to close.
    func close() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func recordLoop(_ handle: UnsafeMutableRawPointer) {
        var buffer = [Int16](repeating: 0, count: Self.samplesPerFrame)
        var error: Int32 = 0
        while !isStopped {
            let rc = buffer.withUnsafeMutableBytes { cpulse_simple_read(handle, $0.baseAddress, $0.count, &error) }
            if rc != 0 { break }
            condition.lock()
            queue.append(buffer)
            if queue.count > Self.maxQueuedFrames { queue.removeFirst(queue.count - Self.maxQueuedFrames) }
            condition.unlock()
        }
        cpulse_simple_free(handle)
    }

    private func playbackLoop(_ handle: UnsafeMutableRawPointer) {
        var error: Int32 = 0
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped { condition.unlock(); break }
            let frame = queue.removeFirst()
            condition.unlock()
            let rc = frame.withUnsafeBytes { cpulse_simple_write(handle, $0.baseAddress, $0.count, &error) }
            if rc != 0 { break }
        }
        cpulse_simple_free(handle)
    }
}

/// The call input from a sound server.
struct PulseAudioSource: AudioSource {
    let stream: PulseAudioStream
    mutating func read(frameCount: Int) -> AudioFrame? {
        frameCount == PulseAudioStream.samplesPerFrame ? stream.read() : .silence(frameCount: frameCount)
    }
}
