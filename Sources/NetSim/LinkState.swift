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

    /// Offers a datagram of `wireBytes` IP bytes to the link at time `now` (ns).
    mutating func transit(wireBytes: Int, now: UInt64) -> Outcome {
        let c = conditions
        if wireBytes > c.mtu { return .dropped(.mtu) }
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
        if rng.chance(c.loss) { return .dropped(.loss) }

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

    /// One-way delay ± uniform jitter, never negative.
    private mutating func sampleDelay(_ c: LinkConditions) -> UInt64 {
        let base = c.delay.nanosecondsClamped
        let jitter = c.jitter.nanosecondsClamped
        guard jitter > 0 else { return UInt64(max(0, base)) }
        let offset = Int64((rng.nextUnitDouble() * 2 - 1) * Double(jitter))
        return UInt64(max(0, base &+ offset))
    }
}
