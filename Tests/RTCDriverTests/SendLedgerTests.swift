import PeerConnection
@testable import RTCDriver
import Testing

/// The senders' view of a channel's send buffer (``SendLedger``): a send goes to the loop
/// without waiting only while what is posted plus the last seen `bufferedAmount` is at or
/// below the high-water mark, so what a send leaves buffered stays within the mark plus its
/// own bytes; a posted send's failure, or a close, is thrown by the next send.
@Suite struct SendLedgerTests {
    let dc = DataChannelHandle(rawValue: 1)

    @Test func postsWithoutWaitingOnlyUpToTheMark() throws {
        let ledger = SendLedger(defaultHighWaterMark: 1000)
        // Posted and not yet queued on the loop: 600, then 1200 (the second crossed the mark).
        #expect(try ledger.reserve(600, on: dc))
        #expect(try ledger.reserve(600, on: dc))
        #expect(try !ledger.reserve(1, on: dc), "posted past the mark without waiting")
        // The loop queued both; SCTP acknowledged some meanwhile.
        ledger.settle(600, buffered: 900, failure: nil, on: dc)
        #expect(try !ledger.reserve(1, on: dc))
        ledger.settle(600, buffered: 1100, failure: nil, on: dc)
        #expect(try !ledger.reserve(1, on: dc), "a buffer above the mark must make senders wait")
        // bufferedamountlow (or a waiting send queued) refreshes the view.
        ledger.update(buffered: 300, on: dc)
        #expect(try ledger.reserve(701, on: dc))
        #expect(try !ledger.reserve(1, on: dc))
    }

    @Test func eachChannelHasItsOwnMark() throws {
        let ledger = SendLedger(defaultHighWaterMark: 100)
        let other = DataChannelHandle(rawValue: 2)
        ledger.setHighWaterMark(10_000, on: dc)
        #expect(try ledger.reserve(5000, on: dc))
        #expect(try ledger.reserve(5000, on: dc))
        #expect(try ledger.reserve(101, on: other))
        #expect(try !ledger.reserve(1, on: other))
    }

    @Test func aFailureOrCloseIsThrownByTheNextSend() throws {
        let ledger = SendLedger(defaultHighWaterMark: 1000)
        let other = DataChannelHandle(rawValue: 2)
        #expect(try ledger.reserve(10, on: dc))
        ledger.settle(10, buffered: 0, failure: RTCDriverError.channelClosed, on: dc)
        #expect(throws: RTCDriverError.channelClosed) { try ledger.reserve(10, on: dc) }
        #expect(try ledger.reserve(10, on: other), "another channel's failure stopped this one")
        ledger.fail(other, with: RTCDriverError.channelClosed)
        #expect(throws: RTCDriverError.channelClosed) { try ledger.reserve(10, on: other) }
        ledger.close(with: RTCDriverError.closed)
        #expect(throws: RTCDriverError.closed) { try ledger.reserve(10, on: DataChannelHandle(rawValue: 3)) }
    }
}
