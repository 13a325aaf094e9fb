import WireKit

/// The Gilbert–Elliott two-state burst-loss model, evaluated once per packet.
///
/// The channel is either *good* or *bad*. Before each packet it moves good→bad with
/// probability `p` and bad→good with probability `r`; the packet is then lost with
/// probability `lossInBad` or `lossInGood`. With the classic parameters
/// (`lossInBad = 1`, `lossInGood = 0`) losses come in bursts of mean length `1 / r`
/// and the long-run loss rate is `p / (p + r)`.
public struct GilbertElliott: Sendable, Equatable {
    /// Probability of moving from the good to the bad state, per packet.
    public var p: Double
    /// Probability of moving from the bad to the good state, per packet.
    public var r: Double
    /// Loss probability while in the good state (1 − k in the literature).
    public var lossInGood: Double
    /// Loss probability while in the bad state (1 − h in the literature).
    public var lossInBad: Double

    /// A model with explicit transition and loss probabilities.
    public init(p: Double, r: Double, lossInGood: Double = 0, lossInBad: Double = 1) {
        self.p = p
        self.r = r
        self.lossInGood = lossInGood
        self.lossInBad = lossInBad
    }

    /// The classic model (every packet lost in the bad state, none in the good one) with the
    /// given long-run loss rate and mean burst length in packets (≥ 1).
    public init(meanLoss: Double, meanBurstLength: Double) {
        let loss = min(max(meanLoss, 0), 0.999_999)
        let r = 1 / max(meanBurstLength, 1)
        self.init(p: loss * r / (1 - loss), r: r, lossInGood: 0, lossInBad: 1)
    }

    /// The long-run loss rate this model produces.
    public var stationaryLoss: Double {
        let total = p + r
        guard total > 0 else { return lossInGood }
        return (p * lossInBad + r * lossInGood) / total
    }

    /// The mean number of consecutive packets spent in the bad state.
    public var meanBurstLength: Double { r > 0 ? 1 / r : .infinity }

    /// Advances the state by one packet; returns true when that packet is lost.
    func nextPacketLost(bad: inout Bool, rng: inout SeededRandom) -> Bool {
        if bad {
            if rng.chance(r) { bad = false }
        } else {
            if rng.chance(p) { bad = true }
        }
        return rng.chance(bad ? lossInBad : lossInGood)
    }
}
