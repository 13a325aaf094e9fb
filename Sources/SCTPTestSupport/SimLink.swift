import DequeModule
import WireKit

/// One direction of a simulated link on virtual time: delay, jitter, loss, duplication,
/// reordering, corruption and a rate-limited bottleneck queue, all driven by a seeded RNG.
public struct SimLink: Sendable {
    /// The link's behaviour.
    public var conditions: PairLinkConditions { didSet { perfect = Self.isPerfect(conditions) } }
    /// No delay, loss, jitter, duplication, reordering, corruption or rate limit: packets arrive
    /// at once, in order (the in-memory link of sctp-bench), with no random draws or `Duration`
    /// arithmetic per packet.
    var perfect: Bool
    var rng: SeededRandom
    /// Packets in flight sorted by arrival time (ties keep send order).
    var queue = Deque<(arrival: Instant, packet: [UInt8])>()
    var busyUntil: Instant = .zero
    /// Packets handed to the link.
    public private(set) var sent = 0
    /// Packets dropped (random loss or full queue).
    public private(set) var dropped = 0

    /// A link with `conditions` and its own random stream from `seed`.
    public init(conditions: PairLinkConditions, seed: UInt64) {
        self.conditions = conditions
        perfect = Self.isPerfect(conditions)
        rng = SeededRandom(seed: seed)
    }

    static func isPerfect(_ c: PairLinkConditions) -> Bool {
        c.delay == .zero && c.jitter == .zero && c.loss <= 0 && c.duplicate <= 0 && c.reorder <= 0 && c.corrupt <= 0
            && c.rateBitsPerSecond == nil
    }

    /// Puts a packet on the link at `now`.
    public mutating func send(_ packet: [UInt8], now: Instant) {
        sent += 1
        if perfect, queue.last.map({ $0.arrival <= now }) ?? true {
            // The same outcome as below with every probability zero (`chance(0)` draws nothing).
            queue.append((now, packet))
            return
        }
        var departure = now
        if let rate = conditions.rateBitsPerSecond, rate > 0 {
            let start = max(now, busyUntil)
            let backlogBytes = Int((start - now).seconds * Double(rate) / 8)
            if backlogBytes > conditions.queueBytes { dropped += 1; return }
            busyUntil = start + .nanoseconds(Int64(packet.count) * 8 * 1_000_000_000 / Int64(rate))
            departure = busyUntil
        }
        if rng.chance(conditions.loss) { dropped += 1; return }
        var packet = packet
        if rng.chance(conditions.corrupt), !packet.isEmpty {
            let i = Int(rng.next() % UInt64(packet.count))
            packet[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
        }
        var arrival = conditions.delay == .zero ? departure : departure + conditions.delay
        if conditions.jitter > .zero {
            arrival += .nanoseconds(Int64(rng.next() % UInt64(max(1, conditions.jitter.nanosecondsClamped))))
        }
        if rng.chance(conditions.reorder) { arrival += conditions.reorderDelay }
        insert(arrival, packet)
        if rng.chance(conditions.duplicate) { insert(arrival + .microseconds(10), packet) }
    }

    mutating func insert(_ arrival: Instant, _ packet: [UInt8]) {
        var i = queue.count
        while i > 0, queue[i - 1].arrival > arrival { i -= 1 }
        if i == queue.count { queue.append((arrival, packet)) } else { queue.insert((arrival, packet), at: i) }
    }

    /// The next arrival time, if a packet is in flight.
    public var nextArrival: Instant? { queue.first?.arrival }

    /// A packet that has arrived by `now`, if any.
    public mutating func receive(now: Instant) -> [UInt8]? {
        guard let first = queue.first, first.arrival <= now else { return nil }
        return queue.removeFirst().packet
    }

    /// Packets currently in flight.
    public var inFlight: Int { queue.count }
}
