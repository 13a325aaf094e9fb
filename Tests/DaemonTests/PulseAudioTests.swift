@testable import Daemon
import Foundation
import Media
import MediaTestSupport
import Testing

/// Call audio through a real sound server: a private PulseAudio daemon (its own runtime folder
/// and socket) with a null sink; a 440 Hz tone played into the sink comes back from its monitor
/// source at the same pitch. Without a server, `pulse` is a clear error and `default` falls back.
@Suite(.serialized) struct PulseAudioTests {
    /// A PulseAudio daemon with a 48 kHz mono null sink `peersync`, stopped at the end.
    final class PrivatePulse {
        let dir = TempDir()
        let process = Process()
        var server: String { "unix:" + dir.path + "/native" }

        init() throws {
            let binary = "/usr/bin/pulseaudio"
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw PulseSetupError(description: "no \(binary): run contrib/setup.sh (installs the Debian package pulseaudio)")
            }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
                                 "--log-target=stderr", "--log-level=error",
                                 "-L", "module-null-sink sink_name=peersync rate=48000 channels=1",
                                 "-L", "module-native-protocol-unix auth-anonymous=1 socket=\(dir.path)/native"]
            process.environment = ["HOME": dir.path, "XDG_RUNTIME_DIR": dir.path, "PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            // Bounded: SIGTERM, up to 3 s, then SIGKILL (never an unbounded wait on a test thread).
            if process.isRunning { process.terminate() }
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    struct PulseSetupError: Error, CustomStringConvertible { let description: String }

    @Test(.timeLimit(.minutes(1)))
    func toneThroughANullSinkComesBackFromItsMonitor() async throws {
        // Sound servers and their streams are blocking, real-time I/O: the whole exchange runs on
        // its own thread so it never holds one of Swift's cooperative threads.
        let result = try await onThread { () throws -> (toneFrames: Int, recorded: [Int16]) in
            let pulse = try PrivatePulse()
            // The server is up when its socket answers (bounded).
            var playback: PulseAudioStream?
            for _ in 0..<100 where playback == nil {
                playback = try? PulseAudioStream(.playback, device: "peersync", server: pulse.server)
                if playback == nil { usleep(50_000) }
            }
            guard let sink = playback else { throw PulseSetupError(description: "the private PulseAudio did not start") }
            let record = try PulseAudioStream(.record, device: "peersync.monitor", server: pulse.server)
            var source = PulseAudioSource(stream: record)
            var tone = ToneGenerator(frequency: 440, amplitude: 0.5)
            var recorded: [Int16] = []
            // Real-time devices: one 20 ms frame in and out per 20 ms of the sound server's clock.
            // An idle null sink renders in 2 s blocks, so the tone may take up to 2 s to come back;
            // then 0.5 s of it is kept (bounded at 5 s).
            let start = Date()
            var toneFrames = 0
            for i in 1...250 where toneFrames < 25 {
                if let f = tone.read(frameCount: 960) { sink.write(f) }
                if let f = source.read(frameCount: 960) {
                    if f.rms > 0.1 || toneFrames > 0 { recorded += f.samples; toneFrames += 1 }
                }
                let wait = start.addingTimeInterval(0.02 * Double(i)).timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            }
            sink.close()
            record.close()
            return (toneFrames, recorded)
        }
        #expect(result.toneFrames == 25, "the monitor gave back no tone")
        let tail = result.recorded.suffix(24000)
        let energy = tail.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, tail.count))
        #expect(energy.squareRoot() > 3000, "the monitor gave back silence (rms \(energy.squareRoot()))")
        let peak = peakFrequency(tail, low: 100, high: 2000)
        #expect(abs(peak - 440) <= 5, "the monitor gave back \(peak) Hz")
    }

    /// Runs blocking `body` on a new thread.
    func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func withoutAServerPulseIsAClearErrorAndDefaultFallsBack() throws {
        #expect(throws: DaemonError.self) { try PulseAudioStream(.record, device: nil, server: "unix:/nonexistent/peersync/native") }
        do {
            _ = try PulseAudioStream(.playback, device: nil, server: "unix:/nonexistent/peersync/native")
        } catch {
            #expect(error.message.contains("no sound server") && error.httpStatus == 501, "\(error)")
        }
        #expect(try AudioInputSpec(parsing: "pulse:mic.monitor") == .pulse("mic.monitor"))
        #expect(try AudioOutputSpec(parsing: "pulse") == .pulse(nil))
        #expect(throws: DaemonError.self) { try AudioInputSpec(parsing: "tone:5") }
        #expect(throws: DaemonError.self) { try AudioInputSpec(parsing: "relative.wav") }
        if !PulseAudioStream.serverAvailable {
            #expect(try AudioInputSpec.defaultDevice.open().inUse == "default (no sound server: silence)")
            #expect(try AudioOutputSpec.defaultDevice.open().inUse == "default (no sound server: discarded)")
        }
    }
}
