@testable import Daemon
import Testing

/// The receive queue between a link's forwarder and its folder: bounded by its message count
/// (a pusher waits while it is full and is woken when a batch is taken), batches come out in
/// order and bounded by bytes (never empty), and a closed queue drains before it ends.
@Suite struct MessageQueueTests {
    @Test func batchesComeOutInOrderBoundedByBytes() async {
        let q = MessageQueue(capacity: 100)
        for i in 0..<10 { #expect(await q.push([UInt8](repeating: UInt8(i), count: 100))) }
        q.close()
        var batches: [[[UInt8]]] = []
        while let b = await q.next(limitBytes: 250) { batches.append(b) }
        // 100-byte messages with a 250-byte bound: three per batch (the third crosses it).
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(batches.flatMap { $0 }.map { $0[0] } == (0..<10).map(UInt8.init))
        #expect(await q.push([1]) == false, "closed: pushes fail")
    }

    @Test func aFullQueueHoldsThePusherUntilABatchIsTaken() async {
        let q = MessageQueue(capacity: 4)
        let pusher = Task { () -> Int in
            var pushed = 0
            for i in 0..<12 {
                guard await q.push([UInt8(i)]) else { break }
                pushed += 1
            }
            q.close()
            return pushed
        }
        var got: [UInt8] = []
        var largest = 0
        while let b = await q.next(limitBytes: 1 << 20) {
            largest = max(largest, b.count)
            got += b.map { $0[0] }
        }
        #expect(await pusher.value == 12)
        #expect(got == (0..<12).map(UInt8.init))
        #expect(largest <= 4, "a batch never holds more than the queue's capacity")
    }

    @Test func aWaitingTakerIsWokenAndCloseEndsIt() async {
        let q = MessageQueue(capacity: 8)
        let taker = Task { () -> [[UInt8]] in
            var got: [[UInt8]] = []
            while let m = await q.pop() { got.append(m) }
            return got
        }
        #expect(await q.push([1]))
        #expect(await q.push([2, 2]))
        q.close()
        #expect(await taker.value == [[1], [2, 2]])
    }
}
