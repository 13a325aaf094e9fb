/// The in-flight datagrams, ordered by (time, scheduling sequence).
///
/// The binary heap holds only small plain keys; datagrams sit in a slab of reusable slots,
/// so sifting moves no reference-counted values. The sequence number makes equal-time
/// events leave in the order they were scheduled: the simulation is deterministic and
/// links stay FIFO.
struct EventHeap {
    private struct Key {
        var time: UInt64
        var sequence: UInt64
        var slot: Int
    }

    private var keys: [Key] = []
    private var slots: [InFlight?] = []
    private var freeSlots: [Int] = []

    init() {
        keys.reserveCapacity(1024)
        slots.reserveCapacity(1024)
        freeSlots.reserveCapacity(1024)
    }

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    var firstTime: UInt64? { keys.first?.time }

    mutating func push(_ item: InFlight) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = item
        } else {
            slot = slots.count
            slots.append(item)
        }
        keys.append(Key(time: item.time, sequence: item.sequence, slot: slot))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(keys[child], keys[parent]) else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> InFlight? {
        guard !keys.isEmpty else { return nil }
        keys.swapAt(0, keys.count - 1)
        let top = keys.removeLast()
        var parent = 0
        let n = keys.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { break }
            var smallest = left
            let right = left + 1
            if right < n, Self.less(keys[right], keys[left]) { smallest = right }
            guard Self.less(keys[smallest], keys[parent]) else { break }
            keys.swapAt(smallest, parent)
            parent = smallest
        }
        let item = slots[top.slot].take()
        freeSlots.append(top.slot)
        return item
    }

    private static func less(_ a: Key, _ b: Key) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
