/// A FIFO of frames taken in batches (the storage behind ``Outbox`` and ``MessageQueue``):
/// appends are amortised O(1), and the consumed front is dropped in bulk, not one by one.
struct FrameFIFO {
    private var items: [[UInt8]] = []
    private var head = 0

    /// Frames waiting.
    var count: Int { items.count - head }

    /// Appends a frame at the back.
    mutating func append(_ frame: [UInt8]) { items.append(frame) }

    /// The frames at the front, in order: at least one, and more while they total under
    /// `limitBytes`; nil when empty.
    mutating func take(limitBytes: Int) -> [[UInt8]]? {
        guard head < items.count else { return nil }
        var batch: [[UInt8]] = []
        var bytes = 0
        while head < items.count && (batch.isEmpty || bytes < limitBytes) {
            bytes += items[head].count
            batch.append(items[head])
            head += 1
        }
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return batch
    }
}
