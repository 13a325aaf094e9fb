// Spectral checks shared by the media test suites: is the tone that came out of a pipeline the
// tone that went in? (Goertzel power at a frequency, and the strongest frequency in a band.)
#if canImport(Glibc)
import Glibc
#endif

/// Goertzel power of `frequency` in `samples` (the test's own small DFT).
public func goertzelPower(_ samples: ArraySlice<Int16>, frequency: Double, sampleRate: Double) -> Double {
    let w = 2 * Double.pi * frequency / sampleRate
    let coeff = 2 * cos(w)
    var s1 = 0.0, s2 = 0.0
    for x in samples {
        let s0 = Double(x) + coeff * s1 - s2
        s2 = s1
        s1 = s0
    }
    return s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The strongest frequency between `low` and `high` Hz: a 10 Hz scan, then a 0.5 Hz refinement.
public func peakFrequency(_ samples: ArraySlice<Int16>, sampleRate: Double = 48000, low: Double = 100, high: Double = 2000) -> Double {
    var best = low, bestPower = -1.0
    for f in stride(from: low, through: high, by: 10) {
        let p = goertzelPower(samples, frequency: f, sampleRate: sampleRate)
        if p > bestPower { bestPower = p; best = f }
    }
    let coarse = best
    bestPower = -1
    for f in stride(from: coarse - 10, through: coarse + 10, by: 0.5) {
        let p = goertzelPower(samples, frequency: f, sampleRate: sampleRate)
        if p > bestPower { bestPower = p; best = f }
    }
    return best
}
