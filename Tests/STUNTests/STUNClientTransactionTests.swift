import Testing
import WireKit
@testable import STUN

/// Retransmission schedule of RFC 8489 §6.2.1: with RTO 500 ms, Rc 7, Rm 16 the request is sent
/// at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and the transaction fails at 39500 ms.
@Suite struct STUNClientTransactionTests {
    @Test func rfcSchedule() {
        var rng = SeededRandom(seed: 1)
        let id = STUNTransactionID.random(using: &rng)
        var t = STUNClientTransaction(id: id, request: [0])
        t.start(now: .zero)
        var sent: [UInt64] = [0]
        var failedAt: UInt64?
        while let deadline = t.pollTimeout() {
            switch t.handle(timeout: deadline) {
            case .retransmit: sent.append(deadline.nanoseconds / 1_000_000)
            case .timedOut: failedAt = deadline.nanoseconds / 1_000_000
            case .wait: Issue.record("timer fired early")
            }
        }
        #expect(sent == [0, 500, 1500, 3500, 7500, 15500, 31500])
        #expect(failedAt == 39500)
        #expect(t.isFinished)
    }

    @Test func finishStopsTimer() {
        var rng = SeededRandom(seed: 2)
        var t = STUNClientTransaction(id: .random(using: &rng), request: [0])
        t.start(now: .zero)
        t.finish()
        #expect(t.pollTimeout() == nil)
    }
}
