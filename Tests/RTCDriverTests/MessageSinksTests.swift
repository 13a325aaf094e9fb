import DataChannel
import PeerConnection
@testable import RTCDriver
import Testing

/// `MessageSinks`: messages wait until a channel's stream is taken, a batch stream gets what
/// arrived between two publishes as one batch, a closed channel's stream ends after what it
/// holds, a stream is taken once, and an ended stream drops later messages.
@Suite struct MessageSinksTests {
    static func message(_ byte: UInt8) -> DataChannelMessage { DataChannelMessage(isText: false, data: [byte]) }

    static func collect<S: AsyncSequence>(_ stream: S) async -> [S.Element] where S.Failure == Never {
        var out: [S.Element] = []
        for await x in stream { out.append(x) }
        return out
    }

    @Test func batchesAreWhatOnePublishCovers() async {
        var sinks = MessageSinks()
        let h = DataChannelHandle(rawValue: 1)
        sinks.open(h)
        sinks.deliver(Self.message(1), on: h)  // waits for the taker
        let stream = sinks.takeBatches(h)
        sinks.deliver(Self.message(2), on: h)
        sinks.deliver(Self.message(3), on: h)
        sinks.publish()
        sinks.publish()  // nothing new: no empty batch
        sinks.deliver(Self.message(4), on: h)
        sinks.close(h)   // publishes what is pending, then finishes
        sinks.deliver(Self.message(5), on: h)
        let batches = await Self.collect(stream)
        #expect(batches.map { $0.map(\.data) } == [[[1]], [[2], [3]], [[4]]])
        #expect(await Self.collect(sinks.takeMessages(h)).isEmpty, "a stream is taken once")
    }

    @Test func aChannelClosedBeforeTheTakeStillHandsOutItsMessages() async {
        var sinks = MessageSinks()
        let h = DataChannelHandle(rawValue: 3)
        sinks.open(h)
        sinks.deliver(Self.message(7), on: h)
        sinks.deliver(Self.message(8), on: h)
        sinks.closeAll()
        #expect(await Self.collect(sinks.takeMessages(h)).map(\.data) == [[7], [8]])
    }

    @Test func anEndedStreamDropsLaterMessages() async {
        var sinks = MessageSinks()
        let h = DataChannelHandle(rawValue: 5)
        let stream = sinks.takeMessages(h)  // taken before the channel opened
        sinks.open(h)
        sinks.deliver(Self.message(1), on: h)
        sinks.end(h)
        sinks.deliver(Self.message(2), on: h)
        #expect(await Self.collect(stream).map(\.data) == [[1]])
    }
}
