import WireKit

/// One direction of a host's access link: its conditions plus the state they act on
/// (serialisation clock, FIFO clock, burst-loss state and its own random stream).
struct LinkState {
    /// The outcome of offering one datagram to the link.
    enum Outcome {
        /// Dropped on the link.
        case dropped(DropReason)
        /// Arrives at `time`; a duplicate arrives at `duplicate`; `reordered` when held back.
        case arrives(time: UInt64, duplicate: UInt64?, reordered: Bool)
    }

    var conditions: LinkConditions
    var rng: SeededRandom
    /// When the serialiser finishes the last accepted datagram.
    private var busyUntil: UInt64 = 0
    /// Latest in-order arrival time handed out (FIFO clamp).
    private var lastArrival: UInt64 = 0
    /// Gilbert–Elliott state.
    private var burstBad = false

    init(conditions: LinkConditions, rng: SeededRandom) {
        self.conditions = conditions
        self.rng = rng
    }

    /// Offers a datagram of `wireBytes` IP bytes to the link at time `now` (ns). One larger
    /// than the MTU is dropped when it has DF set; with `mayFragment` it crosses as IP
    /// fragments would: each fragment (`fragments(wireBytes:mtu:)`) may be lost, losing the
    /// whole datagram, and together they take their headers' bytes more on the wire.
    mutating func transit(wireBytes: Int, mayFragment: Bool = false, now: UInt64) -> Outcome {
        let c = conditions
        var wireBytes = wireBytes, fragments = 1
        if wireBytes > c.mtu {
            guard mayFragment else { return .dropped(.mtu) }
            fragments = Self.fragments(wireBytes: wireBytes, mtu: c.mtu)
            wireBytes += (fragments - 1) * Self.ipHeader
        }
        var departure = now
        if let rate = c.rateBitsPerSecond, rate > 0 {
            if busyUntil > now {
                let backlog = Double(busyUntil - now) * Double(rate) / 8e9
                if backlog + Double(wireBytes) > Double(c.queueLimitBytes) { return .dropped(.queueFull) }
            }
            let serialisation = UInt64(wireBytes) &* 8_000_000_000 / rate
            departure = max(now, busyUntil) &+ serialisation
            busyUntil = departure
        }
        if let model = c.burstLoss, model.nextPacketLost(bad: &burstBad, rng: &rng) { return .dropped(.burstLoss) }
        for _ in 0..<fragments where rng.chance(c.loss) { return .dropped(.loss) }

        let reordered = rng.chance(c.reorder)
        var arrival = departure &+ sampleDelay(c)
        if reordered {
            arrival &+= UInt64(max(0, c.reorderDelay.nanosecondsClamped))
        } else {
            arrival = max(arrival, lastArrival)
            lastArrival = arrival
        }
        var duplicate: UInt64?
        if rng.chance(c.duplicate) {
            let copy = max(departure &+ sampleDelay(c), lastArrival)
            lastArrival = copy
            duplicate = copy
        }
        return .arrives(time: arrival, duplicate: duplicate, reordered: reordered)
    }

    /// IPv4 header bytes each fragment repeats (IPv6 adds a fragment header to its 40: the
    /// model counts 20 for both; it decides loss and rate, not exact sizes).
    static let ipHeader = 20

    /// How many IP fragments a datagram of `wireBytes` (IP header included) takes on a link
    /// of `mtu`: each carries up to `mtu - 20` bytes, a multiple of 8 but for the last.
    static func fragments(wireBytes: Int, mtu: Int) -> Int {
        let perFragment = max(8, (mtu - ipHeader) & ~7)
        return (wireBytes - ipHeader + perFragment - 1) / perFragment
    }

    /// One-way delay ± uniform jitter, never negative.
    private mutating func sampleDelay(_ c: LinkConditions) -> UInt64 {
        let base = c.delay.nanosecondsClamped
        let jitter = c.jitter.nanosecondsClamped
        guard jitter > 0 else { return UInt64(max(0, base)) }
        let offset = Int64((rng.nextUnitDouble() * 2 - 1) * Double(jitter))
        return UInt64(max(0, base &+ offset))
    }
}
