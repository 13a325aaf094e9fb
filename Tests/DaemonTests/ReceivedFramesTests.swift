@testable import Daemon
import SyncEngine
import SyncProtocol
import Synchronization
import Testing

/// The link-to-folder pipeline: batches are delivered in order, never two at once (so at most
/// one is prepared while one is delivered), and `finish` returns only once the last is delivered.
@Suite struct ReceivedFramesTests {
    final class Log: Sendable {
        let state = Mutex((ids: [UInt32](), running: 0, mostRunning: 0))
    }

    @Test func batchesArriveInOrderOneDeliveryAtATime() async {
        let log = Log()
        let frames = ReceivedFrames()
        for b in 0..<40 {
            let batch = (0..<3).map { i in SyncFrame.response(ChunkResponse(requestID: UInt32(b * 3 + i), status: .notFound)).encode() }
            await frames.deliver(batch) { prepared in
                log.state.withLock { s in s.running += 1; s.mostRunning = max(s.mostRunning, s.running) }
                for _ in 0..<(b % 4) { await Task.yield() }   // deliveries of uneven length
                log.state.withLock { s in
                    for p in prepared { if case .success(.response(let r)) = p.frame { s.ids.append(r.requestID) } }
                    s.running -= 1
                }
            }
        }
        await frames.finish()
        let s = log.state.withLock { $0 }
        #expect(s.ids == (0..<120).map(UInt32.init), "every frame, in order, all delivered once finish returns")
        #expect(s.mostRunning == 1, "one delivery at a time")
    }
}
