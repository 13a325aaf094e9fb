@testable import Daemon
import Testing

/// The per-peer outbox: frames come out in order, in batches of everything waiting (bounded by
/// the batch size, never empty), a waiting sender is woken by the next frame, and a finished
/// outbox drains before it ends.
@Suite struct OutboxTests {
    @Test func waitingFramesComeOutInOrderInBoundedBatches() async {
        let box = Outbox(batchBytes: 250)
        for i in 0..<10 { box.yield([UInt8](repeating: UInt8(i), count: 100)) }
        var batches: [[[UInt8]]] = []
        box.finish()
        while let b = await box.next() { batches.append(b) }
        // 100-byte frames with a 250-byte bound: three frames per batch (the third crosses it).
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(batches.flatMap { $0 }.map { $0[0] } == (0..<10).map(UInt8.init))
    }

    @Test func aFrameLargerThanTheBatchStillGoesOut() async {
        let box = Outbox(batchBytes: 10)
        box.yield([UInt8](repeating: 1, count: 1000))
        box.yield([2])
        #expect(await box.next()?.map(\.count) == [1000])
        #expect(await box.next() == [[2]])
    }

    @Test func aWaitingSenderIsWokenAndFinishEndsIt() async {
        let box = Outbox()
        let taker = Task { () -> [[[UInt8]]] in
            var got: [[[UInt8]]] = []
            while let b = await box.next() { got.append(b) }
            return got
        }
        box.yield([1])
        box.yield([2, 2])
        box.finish()
        box.yield([3])   // after finish: dropped
        let got = await taker.value
        #expect(got.flatMap { $0 } == [[1], [2, 2]])
    }
}

/// The outbox counts what is queued and not yet handed to the link, and tells the sender when
/// that count falls below the folder's paging limit (the one time the sender hops into the
/// folder's actor).
@Suite struct OutboxUnsentTests {
    @Test func unsentBytesFallAsTheSenderReportsAndWakeOnceBelowTheLimit() async {
        let box = Outbox(batchBytes: 250, wakeBelow: 300)
        for i in 0..<5 { box.yield([UInt8](repeating: UInt8(i), count: 100)) }
        #expect(box.unsentBytes == 500)
        // Three 100-byte frames (the third crosses the 250-byte batch bound).
        let first = await box.next() ?? []
        #expect(first.count == 3)
        #expect(box.unsentBytes == 500, "taken is not yet sent")
        #expect(box.sent(first.reduce(0) { $0 + $1.count }), "500 -> 200 crosses the limit")
        #expect(box.unsentBytes == 200)
        box.yield([UInt8](repeating: 9, count: 50))
        #expect(box.unsentBytes == 250)
    }

    @Test func crossingBelowTheLimitWakesExactlyOnce() {
        let box = Outbox(wakeBelow: 300)
        box.yield([UInt8](repeating: 0, count: 400))
        #expect(!box.sent(50), "350 is still at or above the limit")
        #expect(box.sent(100), "350 -> 250 crosses the limit")
        #expect(!box.sent(100), "already below")
        #expect(!box.sent(1000))
        #expect(box.unsentBytes == 0, "never negative")
    }
}
