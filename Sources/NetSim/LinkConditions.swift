/// The conditions of one direction of a host's access link (its uplink or its downlink).
///
/// A datagram crossing the link is, in order: checked against the `mtu`; queued behind
/// earlier datagrams and serialised at `rateBitsPerSecond` (tail drop once more than
/// `queueLimitBytes` wait); lost with probability `loss` and, independently, by the
/// `burstLoss` model; delayed by `delay` ± a uniform `jitter`; possibly duplicated.
///
/// Sizes on the link (for the MTU, the rate and the queue) are IP packet sizes: the UDP
/// payload plus 28 bytes of IPv4+UDP headers (48 for IPv6).
///
/// Jitter never reorders: a datagram never arrives before one sent earlier over the same
/// link, unless it is picked for reordering (probability `reorder`), in which case it is
/// held back an extra `reorderDelay` and later datagrams may overtake it.
public struct LinkConditions: Sendable, Equatable {
    /// One-way propagation delay.
    public var delay: Duration
    /// Maximum deviation from `delay`, drawn uniformly from [−jitter, +jitter] per datagram.
    public var jitter: Duration
    /// Probability that a datagram is lost (independent, uniform).
    public var loss: Double
    /// An optional burst-loss model applied in addition to `loss`.
    public var burstLoss: GilbertElliott?
    /// Probability that a datagram is held back by `reorderDelay` so later ones overtake it.
    public var reorder: Double
    /// Extra delay of a datagram picked for reordering.
    public var reorderDelay: Duration
    /// Probability that a datagram is delivered twice.
    public var duplicate: Double
    /// Bandwidth cap in bits per second (nil: unlimited, no queue).
    public var rateBitsPerSecond: UInt64?
    /// Bytes that may wait for serialisation before tail drop (only with a rate cap).
    public var queueLimitBytes: Int
    /// Largest IP packet (payload + IP/UDP headers) the link carries; larger ones are dropped.
    public var mtu: Int

    /// A link that delivers everything instantly, in order, once.
    public static let perfect = LinkConditions()

    /// Creates link conditions; every parameter defaults to a perfect link.
    public init(delay: Duration = .zero, jitter: Duration = .zero, loss: Double = 0,
                burstLoss: GilbertElliott? = nil, reorder: Double = 0,
                reorderDelay: Duration = .milliseconds(10), duplicate: Double = 0,
                rateBitsPerSecond: UInt64? = nil, queueLimitBytes: Int = 128 * 1024, mtu: Int = 1500) {
        self.delay = delay
        self.jitter = jitter
        self.loss = loss
        self.burstLoss = burstLoss
        self.reorder = reorder
        self.reorderDelay = reorderDelay
        self.duplicate = duplicate
        self.rateBitsPerSecond = rateBitsPerSecond
        self.queueLimitBytes = queueLimitBytes
        self.mtu = mtu
    }
}
