import WireKit

/// How a one-way ``SimLink`` of a ``SimPair`` treats packets (named apart from NetSim's `LinkConditions`). Deterministic given the seed of its ``SimLink``.
public struct PairLinkConditions: Sendable {
    /// One-way propagation delay.
    public var delay: Duration = .zero
    /// Extra uniformly random delay in [0, jitter) per packet (reorders when larger than the spacing).
    public var jitter: Duration = .zero
    /// Probability a packet is lost.
    public var loss: Double = 0
    /// Probability a packet is delivered twice.
    public var duplicate: Double = 0
    /// Probability a packet is held back by `reorderDelay` (reordering it behind later ones).
    public var reorder: Double = 0
    /// Extra delay of reordered packets.
    public var reorderDelay: Duration = .milliseconds(5)
    /// Probability one byte of the packet is flipped (the receiver must drop it on CRC).
    public var corrupt: Double = 0
    /// Link rate; nil for unlimited.
    public var rateBitsPerSecond: Int?
    /// Bottleneck queue in bytes when rate-limited (tail drop beyond it).
    public var queueBytes: Int = 256 * 1024

    /// A perfect link with `delay`.
    public init(delay: Duration = .zero, jitter: Duration = .zero, loss: Double = 0, duplicate: Double = 0,
                reorder: Double = 0, corrupt: Double = 0, rateBitsPerSecond: Int? = nil) {
        self.delay = delay; self.jitter = jitter; self.loss = loss; self.duplicate = duplicate
        self.reorder = reorder; self.corrupt = corrupt; self.rateBitsPerSecond = rateBitsPerSecond
    }
}
