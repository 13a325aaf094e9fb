/// A block of interleaved 16-bit PCM audio.
public struct AudioFrame: Equatable, Sendable {
    /// Interleaved samples (`frameCount × channels`).
    public var samples: [Int16]
    /// Samples per second per channel.
    public var sampleRate: Int
    /// Interleaved channel count.
    public var channels: Int

    /// A frame of `samples` at `sampleRate` with `channels` channels.
    public init(samples: [Int16], sampleRate: Int = 48000, channels: Int = 1) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Samples per channel.
    public var frameCount: Int { channels > 0 ? samples.count / channels : 0 }

    /// A frame of silence lasting `frameCount` samples per channel.
    public static func silence(frameCount: Int, sampleRate: Int = 48000, channels: Int = 1) -> AudioFrame {
        AudioFrame(samples: Array(repeating: 0, count: frameCount * channels), sampleRate: sampleRate, channels: channels)
    }

    /// The frame's energy as RMS of full scale, 0…1.
    public var rms: Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        for s in samples { let x = Double(s) / 32768; sum += x * x }
        return (sum / Double(samples.count)).squareRoot()
    }
}

/// Something that produces audio frames (a tone, a file, a microphone).
public protocol AudioSource {
    /// The next frame of `frameCount` samples per channel, or nil at the end of the input.
    mutating func read(frameCount: Int) -> AudioFrame?
}

/// Something that consumes audio frames (a speaker, a file, nothing).
public protocol AudioSink {
    /// Takes one decoded frame.
    mutating func write(_ frame: AudioFrame)
}

/// A sink that discards audio but counts it (servers and tests).
public struct NullAudioSink: AudioSink, Sendable {
    /// Frames written.
    public private(set) var frames = 0
    /// Samples per channel written.
    public private(set) var sampleCount = 0

    /// An empty sink.
    public init() {}

    /// Counts and drops `frame`.
    public mutating func write(_ frame: AudioFrame) {
        frames += 1
        sampleCount += frame.frameCount
    }
}

/// A sink that keeps every sample in memory (tests, analysis).
public struct MemoryAudioSink: AudioSink, Sendable {
    /// All samples written, interleaved.
    public private(set) var samples: [Int16] = []

    /// An empty sink.
    public init() {}

    /// Appends `frame`'s samples.
    public mutating func write(_ frame: AudioFrame) { samples.append(contentsOf: frame.samples) }
}
