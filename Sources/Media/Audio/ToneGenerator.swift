#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sine tone source (calls without a microphone, tests, latency probes).
public struct ToneGenerator: AudioSource, Sendable {
    /// Tone frequency in Hz.
    public var frequency: Double
    /// Peak amplitude as a fraction of full scale (0…1).
    public var amplitude: Double
    /// Output sample rate.
    public let sampleRate: Int
    /// Stop after this many samples (nil = endless).
    public var limit: Int?
    private var phase: Double = 0
    /// Samples produced so far.
    public private(set) var produced = 0

    /// A tone of `frequency` Hz at `amplitude` of full scale.
    public init(frequency: Double = 440, amplitude: Double = 0.5, sampleRate: Int = 48000, limit: Int? = nil) {
        self.frequency = frequency
        self.amplitude = amplitude
        self.sampleRate = sampleRate
        self.limit = limit
    }

    /// The next `frameCount` samples (mono), or nil when the limit is reached.
    public mutating func read(frameCount: Int) -> AudioFrame? {
        var count = frameCount
        if let limit {
            guard produced < limit else { return nil }
            count = min(count, limit - produced)
        }
        var out = [Int16]()
        out.reserveCapacity(count)
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        for _ in 0..<count {
            out.append(Int16(clamping: Int((amplitude * 32767 * sin(phase)).rounded())))
            phase += step
            if phase > 2 * Double.pi { phase -= 2 * Double.pi }
        }
        produced += count
        return AudioFrame(samples: out, sampleRate: sampleRate, channels: 1)
    }
}
