import Foundation
import Media

/// Where a call's audio comes from (`--input`).
///
/// `tone:<Hz>` (a sine at half scale), a WAV file (48 kHz, mono or stereo mixed to mono; it
/// loops), `null` (silence), `pulse` or `pulse:<source>` (a PulseAudio/PipeWire source), or
/// `default`: the sound server's default source when there is one, else silence.
enum AudioInputSpec: Equatable, Sendable {
    case tone(Double)
    case wav(String)
    case silence
    /// A sound server source (nil: its default); an error when there is no server.
    case pulse(String?)
    /// The sound server's default source, or silence without a server.
    case defaultDevice

    /// Parses and checks `text` (nil: `default`); a WAV file is read now, so errors show at once.
    init(parsing text: String?) throws(DaemonError) {
        let t = (text ?? "default").trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "default", "mic", "microphone": self = .defaultDevice; return
        case "null", "none", "silence": self = .silence; return
        default: break
        }
        if t.lowercased() == "pulse" { self = .pulse(nil); return }
        if t.lowercased().hasPrefix("pulse:"), t.count > 6 { self = .pulse(String(t.dropFirst(6))); return }
        if t.lowercased().hasPrefix("tone:") {
            guard let hz = Double(t.dropFirst(5)), hz >= 20, hz <= 20_000 else {
                throw .badRequest("bad tone \(t)", hint: "use tone:<Hz> with 20–20000 Hz, e.g. tone:440")
            }
            self = .tone(hz)
            return
        }
        guard t.hasPrefix("/") else {
            throw .badRequest("unknown audio input \(t)", hint: "use tone:<Hz>, an absolute WAV path, pulse[:<source>], null or default")
        }
        _ = try Self.loadWAV(t)
        self = .wav(t)
    }

    /// The spec as shown in the status.
    var description: String {
        switch self {
        case .tone(let hz): return "tone:\(hz.rounded() == hz ? String(Int(hz)) : String(hz))"
        case .wav(let path): return path
        case .silence: return "null"
        case .pulse(let source): return "pulse" + (source.map { ":" + $0 } ?? "")
        case .defaultDevice: return "default"
        }
    }

    /// Opens the input (mono, 48 kHz): the source, the sound server stream behind it (to close
    /// at the end), and what is in use for the status.
    func open() throws(DaemonError) -> (source: any AudioSource, stream: PulseAudioStream?, inUse: String) {
        switch self {
        case .tone(let hz): return (ToneGenerator(frequency: hz, amplitude: 0.5), nil, description)
        case .wav(let path): return (LoopingSource(file: try Self.loadWAV(path)), nil, description)
        case .silence: return (SilenceSource(), nil, description)
        case .pulse(let device):
            let s = try PulseAudioStream(.record, device: device)
            return (PulseAudioSource(stream: s), s, description)
        case .defaultDevice:
            guard PulseAudioStream.serverAvailable, let s = try? PulseAudioStream(.record, device: nil) else { return (SilenceSource(), nil, "default (no sound server: silence)") }
            return (PulseAudioSource(stream: s), s, "default (sound server)")
        }
    }

    /// Reads a WAV file as 48 kHz mono.
    static func loadWAV(_ path: String) throws(DaemonError) -> WAVFile {
        let file: WAVFile
        do { file = try WAVFile.read(path: path) } catch {
            throw .badRequest("cannot read the WAV file \(path): \(error)", hint: "give a 16-bit PCM WAV file at 48 kHz")
        }
        guard file.sampleRate == 48000, file.channels >= 1 else {
            throw .badRequest("\(path) is \(file.sampleRate) Hz with \(file.channels) channels", hint: "calls take 48 kHz WAV files (e.g. `sox in.wav -r 48000 out.wav`)")
        }
        guard file.channels > 1 else { return file }
        var mono = [Int16]()
        mono.reserveCapacity(file.samples.count / file.channels)
        var i = 0
        while i + file.channels <= file.samples.count {
            var sum = 0
            for c in 0..<file.channels { sum += Int(file.samples[i + c]) }
            mono.append(Int16(clamping: sum / file.channels))
            i += file.channels
        }
        return WAVFile(sampleRate: 48000, channels: 1, samples: mono)
    }
}

/// Where a call's audio goes (`--output`): a WAV file (written as the call goes), `null`,
/// `pulse` or `pulse:<sink>` (a PulseAudio/PipeWire sink), or `default` (the sound server's
/// default sink when there is one, else nowhere).
enum AudioOutputSpec: Equatable, Sendable {
    case wav(String)
    case discard
    /// A sound server sink (nil: its default); an error when there is no server.
    case pulse(String?)
    case defaultDevice

    /// Parses and checks `text` (nil: `default`): a WAV path's folder must exist.
    init(parsing text: String?) throws(DaemonError) {
        let t = (text ?? "default").trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "default", "speaker", "speakers": self = .defaultDevice; return
        case "null", "none": self = .discard; return
        case "pulse": self = .pulse(nil); return
        default: break
        }
        if t.lowercased().hasPrefix("pulse:"), t.count > 6 { self = .pulse(String(t.dropFirst(6))); return }
        guard t.hasPrefix("/") else {
            throw .badRequest("unknown audio output \(t)", hint: "use an absolute WAV path, pulse[:<sink>], null or default")
        }
        var isDir: ObjCBool = false
        let dir = (t as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .badRequest("the folder of \(t) does not exist", hint: "create it first or pick another path")
        }
        self = .wav(t)
    }

    /// The spec as shown in the status.
    var description: String {
        switch self {
        case .wav(let path): return path
        case .discard: return "null"
        case .pulse(let sink): return "pulse" + (sink.map { ":" + $0 } ?? "")
        case .defaultDevice: return "default"
        }
    }

    /// Opens a sound server stream for `pulse` and `default` (nil for the others, or for
    /// `default` without a server), and what is in use for the status.
    func open() throws(DaemonError) -> (stream: PulseAudioStream?, inUse: String) {
        switch self {
        case .wav, .discard: return (nil, description)
        case .pulse(let device): return (try PulseAudioStream(.playback, device: device), description)
        case .defaultDevice:
            guard PulseAudioStream.serverAvailable, let s = try? PulseAudioStream(.playback, device: nil) else { return (nil, "default (no sound server: discarded)") }
            return (s, "default (sound server)")
        }
    }
}

/// Silence, endlessly.
struct SilenceSource: AudioSource {
    mutating func read(frameCount: Int) -> AudioFrame? { .silence(frameCount: frameCount) }
}

/// A WAV file played in a loop (silence if it is empty).
struct LoopingSource: AudioSource {
    let file: WAVFile
    var position = 0

    mutating func read(frameCount: Int) -> AudioFrame? {
        guard !file.samples.isEmpty else { return .silence(frameCount: frameCount) }
        var out = [Int16]()
        out.reserveCapacity(frameCount)
        while out.count < frameCount {
            let n = min(frameCount - out.count, file.samples.count - position)
            out += file.samples[position..<(position + n)]
            position = (position + n) % file.samples.count
        }
        return AudioFrame(samples: out)
    }
}
