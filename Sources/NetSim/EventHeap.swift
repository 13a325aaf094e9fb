/// A binary min-heap of in-flight datagrams, ordered by (time, insertion sequence).
///
/// The sequence number makes equal-time events leave in the order they were scheduled, so
/// the simulation is deterministic and links stay FIFO.
struct EventHeap {
    private(set) var items: [InFlight] = []

    init() { items.reserveCapacity(1024) }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: InFlight? { items.first }
    var firstTime: UInt64? { items.first?.time }

    mutating func push(_ item: InFlight) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> InFlight? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        let n = items.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { break }
            var smallest = left
            let right = left + 1
            if right < n, Self.less(items[right], items[left]) { smallest = right }
            guard Self.less(items[smallest], items[parent]) else { break }
            items.swapAt(smallest, parent)
            parent = smallest
        }
        return top
    }

    private static func less(_ a: InFlight, _ b: InFlight) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
