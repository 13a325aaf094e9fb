import WireKit

/// A FIFO of deadlines that are added in non-decreasing order (each is `now + constant`),
/// so the front is always the earliest. Entries are never removed early: whoever pops one
/// checks whether it still matters.
struct DeadlineQueue<Key: Sendable>: Sendable {
    private var entries: [(deadline: Instant, key: Key)] = []
    private var head = 0

    /// Appends a deadline; it must not be earlier than the last one added.
    mutating func append(_ deadline: Instant, _ key: Key) {
        entries.append((deadline, key))
    }

    /// The earliest pending deadline.
    var earliest: Instant? { head < entries.count ? entries[head].deadline : nil }

    /// Removes and returns the first entry whose deadline is at or before `now`.
    mutating func popExpired(now: Instant) -> Key? {
        guard head < entries.count, entries[head].deadline <= now else { return nil }
        let key = entries[head].key
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1_024 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return key
    }

    /// Number of entries (including stale ones).
    var count: Int { entries.count - head }
}
