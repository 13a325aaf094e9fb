import DataChannel
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Regression: closing a channel right after queueing many messages (RFC 8831 §6.7 stream
/// reset, RFC 6525) must deliver every queued message, in order, before the peer sees the
/// channel close — at 1200-byte and 16000-byte packets, with loss, reordering and duplication.
@Suite struct CloseDrainTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var mtu: Int
        var loss: Double
        var reorder: Double
        var duplicate: Double
        /// The receiving application reads only every 50 ms through a 192 KiB window.
        var slowReader = false
        var testDescription: String { "mtu \(mtu) loss \(loss) reorder \(reorder) dup \(duplicate)\(slowReader ? " slow reader" : "")" }
    }

    static let cases: [Case] = [
        Case(mtu: 1200, loss: 0, reorder: 0, duplicate: 0),
        Case(mtu: 16000, loss: 0, reorder: 0, duplicate: 0),
        Case(mtu: 1200, loss: 0.05, reorder: 0.2, duplicate: 0.02),
        Case(mtu: 16000, loss: 0.05, reorder: 0.2, duplicate: 0.02),
        Case(mtu: 16000, loss: 0.15, reorder: 0.3, duplicate: 0),
        Case(mtu: 16000, loss: 0.02, reorder: 0.1, duplicate: 0, slowReader: true),
        Case(mtu: 1200, loss: 0.02, reorder: 0.1, duplicate: 0, slowReader: true),
    ]

    /// Message `i` of a direction: its index in the first 4 bytes, sizes from 1 B to ~70 KB.
    static func message(_ i: Int, direction: UInt8, rng: inout SeededRandom) -> [UInt8] {
        let sizes = [1, 5, 300, 1200, 5000, 15_990, 16_000, 40_000, 70_000]
        let size = max(5, sizes[Int(rng.next() % UInt64(sizes.count))])
        var m = TransferScenario.payload(index: i, size: size)
        m[4] = direction
        return m
    }

    @Test("close right after queueing: every message arrives in order before the peer's close",
          arguments: cases)
    func closeWhileQueued(_ c: Case) throws {
        for seed: UInt64 in [101, 202, 303, 404] {
            let conditions = PairLinkConditions(delay: .milliseconds(10), jitter: .milliseconds(2), loss: c.loss,
                                                duplicate: c.duplicate, reorder: c.reorder)
            var p = DataChannelTests.pair(seed: seed, conditions: conditions) {
                $0.maxPacketSize = c.mtu
                if c.slowReader { $0.receiveWindow = 192 << 10; $0.maxReceiveMessageSize = 128 << 10 }
            }
            DataChannelTests.connect(&p)
            let id = try p.a.createDataChannel(label: "drain", now: p.now)
            _ = DataChannelTests.run(&p) { _, b in b.contains(.open(id)) }
            #expect(p.b.channel(id)?.readyState == .open, "seed \(seed)")
            var rng = SeededRandom(seed: seed)
            let count = 60
            var fromA = [[UInt8]](), fromB = [[UInt8]]()
            for i in 0..<count {
                let m = Self.message(i, direction: 0xA, rng: &rng)
                try p.a.send(m, on: id, now: p.now)
                fromA.append(m)
            }
            // The peer has data queued the other way too: its reply-reset must wait for it.
            for i in 0..<count / 2 {
                let m = Self.message(i, direction: 0xB, rng: &rng)
                try p.b.send(m, on: id, now: p.now)
                fromB.append(m)
            }
            p.a.close(id, now: p.now)
            let (a, b) = c.slowReader ? Self.runSlowly(&p, id: id) : DataChannelTests.run(&p, for: .seconds(120)) { a, b in a.contains(.closed(id)) && b.contains(.closed(id)) }
            let context = "seed \(seed) \(c.testDescription)"
            #expect(Self.messages(before: .closed(id), in: b, id: id) == fromA, "\(context): a→b messages")
            #expect(Self.messages(before: .closed(id), in: a, id: id) == fromB, "\(context): b→a messages")
            #expect(a.contains(.closed(id)) && b.contains(.closed(id)), "\(context): both sides closed")
            #expect(p.a.channelIDs.isEmpty && p.b.channelIDs.isEmpty, "\(context)")
            // The id is reusable and the reset streams start again at SSN 0 on both sides.
            let again = try p.a.createDataChannel(label: "again", now: p.now)
            #expect(again == id, "\(context)")
            _ = DataChannelTests.run(&p) { _, b in b.contains(.open(again)) }
            try p.a.send(text: "after", on: again, now: p.now)
            let (_, b2) = DataChannelTests.run(&p) { _, b in b.contains { if case .message = $0 { return true } else { return false } } }
            #expect(b2.contains(.message(again, DataChannelMessage(isText: true, data: Array("after".utf8)))), "\(context)")
        }
    }

    /// Like `DataChannelTests.run`, but both applications read their events only every 50 ms.
    static func runSlowly(_ p: inout DataChannelTests.Pair, id: UInt16) -> (a: [DataChannelEvent], b: [DataChannelEvent]) {
        var a = [DataChannelEvent](), b = [DataChannelEvent]()
        let end = p.now + .seconds(300)
        var nextRead = p.now
        while p.now < end, !(a.contains(.closed(id)) && b.contains(.closed(id))) {
            let progressed = p.step(limit: min(end, nextRead))
            if p.now >= nextRead {
                while let e = p.a.pollEvent() { a.append(e) }
                while let e = p.b.pollEvent() { b.append(e) }
                p.flush()  // reading may open the window (a window update goes out)
                nextRead = p.now + .milliseconds(50)
            } else if !progressed {
                break
            }
        }
        return (a, b)
    }

    /// The payloads of `id`'s messages that came before `end` (all of them if `end` never came).
    static func messages(before end: DataChannelEvent, in events: [DataChannelEvent], id: UInt16) -> [[UInt8]] {
        var out = [[UInt8]]()
        for e in events {
            if e == end { break }
            if case .message(let cid, let m) = e, cid == id { out.append(m.data) }
        }
        return out
    }
}

extension CloseDrainTests {
    @Test("an id reused right after its close opens a new channel at the peer, even when the reset answer is late")
    func immediateReuse() throws {
        var failures = [String]()
        for seed: UInt64 in 1...24 {
            let conditions = PairLinkConditions(delay: .milliseconds(10), jitter: .milliseconds(8), loss: 0.2, reorder: 0.3)
            var p = DataChannelTests.pair(seed: seed, conditions: conditions) { $0.maxPacketSize = 16000 }
            DataChannelTests.connect(&p)
            let id = try p.a.createDataChannel(label: "old", now: p.now)
            _ = DataChannelTests.run(&p) { _, b in b.contains(.open(id)) }
            for i in 0..<20 { try p.a.send(text: "old\(i)", on: id, now: p.now) }
            p.a.close(id, now: p.now)
            // Reuse the id the moment a reports the close (the peer may not have its answer yet).
            var b = [DataChannelEvent]()
            let end = p.now + .seconds(60)
            var reused = false
            while p.now < end, p.step(limit: end) {
                while let e = p.a.pollEvent() {
                    if e == .closed(id) && !reused {
                        reused = true
                        let again = try p.a.createDataChannel(label: "new", now: p.now)
                        if again != id { failures.append("seed \(seed): id \(again)") }
                        for i in 0..<5 { try p.a.send(text: "new\(i)", on: again, now: p.now) }
                    }
                }
                while let e = p.b.pollEvent() { b.append(e) }
                if b.filter({ if case .message(_, let m) = $0 { return m.text?.hasPrefix("new") ?? false } else { return false } }).count == 5 { break }
            }
            let texts = b.compactMap { e -> String? in if case .message(_, let m) = e { return m.text } else { return nil } }
            let expected = (0..<20).map { "old\($0)" } + (0..<5).map { "new\($0)" }
            if texts != expected { failures.append("seed \(seed): \(texts.suffix(6))") }
            let closedAt = b.firstIndex(of: .closed(id)), openedAgainAt = b.lastIndex(of: .open(id))
            if let c = closedAt, let o = openedAgainAt, c < o {} else {
                failures.append("seed \(seed): old closed at \(String(describing: closedAt)), new opened at \(String(describing: openedAgainAt))")
            }
            if p.b.channel(id)?.label != "new" { failures.append("seed \(seed): b's channel is \(String(describing: p.b.channel(id)?.label))") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(4))")
    }
}
