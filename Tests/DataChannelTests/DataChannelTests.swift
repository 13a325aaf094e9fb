import DataChannel
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Data channels over two associations on the simulated link.
@Suite struct DataChannelTests {
    typealias Pair = SimPair<DataChannelManager>

    static func pair(seed: UInt64, conditions: PairLinkConditions = PairLinkConditions(delay: .milliseconds(10)),
                     configure: (inout SCTPConfiguration) -> Void = { _ in }) -> Pair {
        var ca = SCTPConfiguration(); ca.randomSeed = seed &+ 1
        var cb = SCTPConfiguration(); cb.randomSeed = seed &+ 2
        configure(&ca); configure(&cb)
        return Pair(a: DataChannelManager(role: .client, configuration: ca), b: DataChannelManager(role: .server, configuration: cb),
                    ab: conditions, ba: conditions, seed: seed)
    }

    /// Runs until `done` holds for the collected events (or `limit` of virtual time passes).
    static func run(_ p: inout Pair, for limit: Duration = .seconds(30), until done: ([DataChannelEvent], [DataChannelEvent]) -> Bool = { _, _ in false })
        -> (a: [DataChannelEvent], b: [DataChannelEvent]) {
        var a = [DataChannelEvent](), b = [DataChannelEvent]()
        let end = p.now + limit
        while p.now < end {
            let progressed = p.step(limit: end)
            while let e = p.a.pollEvent() { a.append(e) }
            while let e = p.b.pollEvent() { b.append(e) }
            if done(a, b) || !progressed { break }
        }
        return (a, b)
    }

    static func connect(_ p: inout Pair) {
        try? p.a.connect(now: p.now)
        _ = run(&p) { a, b in a.contains(.connected) && b.contains(.connected) }
    }

    /// A pair after the SCTP handshake.
    static func connectedPair(seed: UInt64, conditions: PairLinkConditions = PairLinkConditions(delay: .milliseconds(10)),
                              configure: (inout SCTPConfiguration) -> Void = { _ in }) -> Pair {
        var p = pair(seed: seed, conditions: conditions, configure: configure)
        connect(&p)
        return p
    }

    @Test("in-band channel: OPEN/ACK, label, parity, text, binary and empty messages both ways")
    func inBand() throws {
        var p = Self.pair(seed: 1)
        let id = try p.a.createDataChannel(label: "chat", protocol: "v1", now: p.now)
        #expect(id % 2 == 0, "the DTLS client uses even ids")
        #expect(p.a.channel(id)?.readyState == .connecting)
        Self.connect(&p)
        var (a, b) = Self.run(&p) { _, b in b.contains(.open(id)) }
        #expect(p.a.channel(id)?.readyState == .open)
        #expect(b.contains(.dataChannel(id)))
        #expect(p.b.channel(id)?.label == "chat" && p.b.channel(id)?.protocol == "v1")
        try p.a.send(text: "héllo", on: id, now: p.now)
        try p.a.send([1, 2, 3], on: id, now: p.now)
        try p.a.send([], on: id, now: p.now)
        try p.a.send(text: "", on: id, now: p.now)
        try p.b.send(text: "back", on: id, now: p.now)
        (a, b) = Self.run(&p) { a, b in b.count >= 5 && a.count >= 2 }
        // bufferedAmountLow with the default threshold 0 fires when the queue empties: not a message.
        a = a.filter { if case .message = $0 { return true } else { return false } }
        b = b.filter { if case .message = $0 { return true } else { return false } }
        #expect(b == [.message(id, DataChannelMessage(isText: true, data: Array("héllo".utf8))),
                      .message(id, DataChannelMessage(isText: false, data: [1, 2, 3])),
                      .message(id, DataChannelMessage(isText: false, data: [])),
                      .message(id, DataChannelMessage(isText: true, data: []))])
        #expect(a == [.message(id, DataChannelMessage(isText: true, data: Array("back".utf8)))])
        let serverID = try p.b.createDataChannel(label: "s", now: p.now)
        #expect(serverID % 2 == 1, "the DTLS server uses odd ids")
    }

    @Test("negotiated channels need no DCEP and carry their policy")
    func negotiated() throws {
        var p = Self.connectedPair(seed: 2)
        let a = try p.a.createDataChannel(label: "n", ordered: false, maxRetransmits: 0, negotiatedID: 7, now: p.now)
        let b = try p.b.createDataChannel(label: "n", ordered: false, maxRetransmits: 0, negotiatedID: 7, now: p.now)
        #expect(a == 7 && b == 7)
        #expect(p.a.channel(7)?.readyState == .open)
        try p.a.send([9], on: 7, now: p.now)
        let (_, events) = Self.run(&p) { _, b in b.contains { if case .message = $0 { return true } else { return false } } }
        #expect(events.contains(.message(7, DataChannelMessage(isText: false, data: [9]))))
        #expect(throws: DataChannelError.self) { _ = try p.a.createDataChannel(label: "dup", negotiatedID: 7, now: p.now) }
        #expect(throws: DataChannelError.self) { _ = try p.a.createDataChannel(label: "x", maxRetransmits: 1, maxPacketLifeTime: .seconds(1), now: p.now) }
    }

    @Test("DCEP carries ordering and partial reliability to the peer")
    func dcepPolicy() throws {
        var p = Self.connectedPair(seed: 3)
        let id = try p.a.createDataChannel(label: "u", ordered: false, maxPacketLifeTime: .milliseconds(300), now: p.now)
        _ = Self.run(&p) { _, b in b.contains(.open(id)) }
        let remote = try #require(p.b.channel(id))
        #expect(remote.ordered == false && remote.maxPacketLifeTime == .milliseconds(300) && remote.maxRetransmits == nil)
    }

    @Test("bufferedAmount counts bytes accepted and not yet handed to the network")
    func bufferedAmountDefinition() throws {
        var p = Self.connectedPair(seed: 4)
        let id = try p.a.createDataChannel(label: "b", negotiatedID: 0, now: p.now)
        _ = try p.b.createDataChannel(label: "b", negotiatedID: 0, now: p.now)
        try p.a.send([UInt8](repeating: 1, count: 1000), on: id, now: p.now)
        try p.a.send([], on: id, now: p.now)
        #expect(p.a.bufferedAmount(id) == 1000)
        _ = p.a.pollTransmit()
        #expect(p.a.bufferedAmount(id) == 0)
    }

    @Test("send throws when the channel's queue cap is reached")
    func sendQueueCap() throws {
        var p = Self.connectedPair(seed: 5) { $0.maxStreamSendQueue = 100_000 }
        let id = try p.a.createDataChannel(label: "cap", negotiatedID: 2, now: p.now)
        var accepted = 0
        do {
            for _ in 0..<1000 { try p.a.send([UInt8](repeating: 0, count: 10_000), on: id, now: p.now); accepted += 1 }
            Issue.record("never refused")
        } catch {
            guard case .sendQueueFull = error else { Issue.record("wrong error \(error)"); return }
        }
        #expect(accepted == 10)
        #expect(throws: DataChannelError.self) { try p.a.send([UInt8](repeating: 0, count: 300_000), on: id, now: p.now) }
    }

    @Test("bufferedAmountLow fires exactly once per downward crossing for a pausing sender")
    func bufferedAmountLow() throws {
        let seed: UInt64 = 6
        var p = Self.connectedPair(seed: seed, conditions: PairLinkConditions(delay: .milliseconds(20), loss: 0.02))
        let id = try p.a.createDataChannel(label: "bulk", negotiatedID: 4, now: p.now)
        _ = try p.b.createDataChannel(label: "bulk", negotiatedID: 4, now: p.now)
        let high = 200_000, low = 50_000, total = 400
        p.a.setBufferedAmountLowThreshold(low, for: id)
        var sent = 0, pauses = 0, lowEvents = 0, received = 0
        var expectedEvents = 0
        func fill(_ m: inout DataChannelManager, _ now: Instant) throws {
            while sent < total {
                if m.bufferedAmount(id) >= high { pauses += 1; expectedEvents += 1; return }
                try m.send([UInt8](repeating: 7, count: 12_000), on: id, now: now)
                sent += 1
            }
            if m.bufferedAmount(id) > low { expectedEvents += 1 }  // the final drain crosses once more
        }
        try fill(&p.a, p.now)
        let end = p.now + .seconds(300)
        while received < total, p.now < end, p.step(limit: end) {
            while let e = p.a.pollEvent() {
                if e == .bufferedAmountLow(id) {
                    lowEvents += 1
                    #expect(p.a.bufferedAmount(id) <= low, "seed \(seed)")
                    try fill(&p.a, p.now)
                }
            }
            while let e = p.b.pollEvent() { if case .message = e { received += 1 } }
        }
        #expect(received == total, "seed \(seed)")
        #expect(pauses > 5, "seed \(seed)")
        #expect(lowEvents == expectedEvents, "seed \(seed): \(lowEvents) events for \(pauses) pauses")
    }

    @Test("1,000 channels opened, used, closed by stream reset, and their ids reused")
    func thousandChannels() throws {
        let seed: UInt64 = 7
        var p = Self.connectedPair(seed: seed, conditions: PairLinkConditions(delay: .milliseconds(5), loss: 0.01))
        for round in 0..<2 {
            var ids = [UInt16]()
            for i in 0..<1000 { ids.append(try p.a.createDataChannel(label: "c\(i)", now: p.now)) }
            #expect(ids == (0..<1000).map { UInt16($0 * 2) }, "round \(round): lowest free even ids")
            for id in ids { try p.a.send(text: "m\(id)", on: id, now: p.now) }
            var opened = Set<UInt16>(), messages = 0
            let (_, b) = Self.run(&p, for: .seconds(60)) { _, b in
                b.reduce(0) { if case .message = $1 { return $0 + 1 } else { return $0 } } >= 1000
            }
            for e in b {
                if case .open(let id) = e { opened.insert(id) }
                if case .message(let id, let m) = e { messages += 1; #expect(m.text == "m\(id)") }
            }
            #expect(opened.count == 1000 && messages == 1000, "seed \(seed) round \(round)")
            // Close half from each side.
            for id in ids where id % 4 == 0 { p.a.close(id, now: p.now) }
            for id in ids where id % 4 == 2 { p.b.close(id, now: p.now) }
            let (a2, b2) = Self.run(&p, for: .seconds(60)) { a, b in
                a.filter { if case .closed = $0 { return true } else { return false } }.count >= 1000
                    && b.filter { if case .closed = $0 { return true } else { return false } }.count >= 1000
            }
            #expect(a2.filter { if case .closed = $0 { return true } else { return false } }.count == 1000, "seed \(seed)")
            #expect(b2.filter { if case .closed = $0 { return true } else { return false } }.count == 1000, "seed \(seed)")
            #expect(p.a.channelIDs.isEmpty && p.b.channelIDs.isEmpty)
        }
    }

    @Test("close delivers every message sent before it, then closes both sides")
    func closeAfterSend() throws {
        let seed: UInt64 = 11
        var p = Self.connectedPair(seed: seed, conditions: PairLinkConditions(delay: .milliseconds(15), loss: 0.05))
        let id = try p.a.createDataChannel(label: "c", now: p.now)
        for i in 0..<30 { try p.a.send(text: "m\(i)", on: id, now: p.now) }
        p.a.close(id, now: p.now)
        #expect(p.a.channel(id)?.readyState == .closing)
        #expect(throws: DataChannelError.self) { try p.a.send(text: "late", on: id, now: p.now) }
        let (a, b) = Self.run(&p, for: .seconds(60)) { a, b in a.contains(.closed(id)) && b.contains(.closed(id)) }
        let texts = b.compactMap { e -> String? in if case .message(_, let m) = e { return m.text } else { return nil } }
        #expect(texts == (0..<30).map { "m\($0)" }, "seed \(seed)")
        #expect(a.contains(.closed(id)) && b.contains(.closing(id)) && b.contains(.closed(id)), "seed \(seed)")
        let reused = try p.a.createDataChannel(label: "again", now: p.now)
        #expect(reused == id, "the id is free again")
    }

    @Test("both sides closing the same channel at once")
    func simultaneousClose() throws {
        let seed: UInt64 = 12
        var p = Self.connectedPair(seed: seed, conditions: PairLinkConditions(delay: .milliseconds(30), loss: 0.05))
        let id = try p.a.createDataChannel(label: "s", now: p.now)
        _ = Self.run(&p) { _, b in b.contains(.open(id)) }
        try p.a.send(text: "x", on: id, now: p.now)
        try p.b.send(text: "y", on: id, now: p.now)
        p.a.close(id, now: p.now)
        p.b.close(id, now: p.now)
        let (a, b) = Self.run(&p, for: .seconds(60)) { a, b in a.contains(.closed(id)) && b.contains(.closed(id)) }
        #expect(a.contains(.closed(id)) && b.contains(.closed(id)), "seed \(seed)")
        #expect(p.a.channelIDs.isEmpty && p.b.channelIDs.isEmpty, "seed \(seed)")
    }

    @Test("deprecated partial PPIDs are joined on receive")
    func partialPPIDs() throws {
        var p = Self.connectedPair(seed: 8)
        _ = try p.a.createDataChannel(label: "p", negotiatedID: 10, now: p.now)
        _ = try p.b.createDataChannel(label: "p", negotiatedID: 10, now: p.now)
        try p.a.association.send(stream: 10, ppid: PPID.binaryPartial, message: [1, 2], now: p.now)
        try p.a.association.send(stream: 10, ppid: PPID.binaryPartial, message: [3], now: p.now)
        try p.a.association.send(stream: 10, ppid: PPID.binary, message: [4], now: p.now)
        var (_, b) = Self.run(&p) { _, b in b.contains { if case .message = $0 { return true } else { return false } } }
        b = b.filter { if case .message = $0 { return true } else { return false } }
        #expect(b == [.message(10, DataChannelMessage(isText: false, data: [1, 2, 3, 4]))])
    }

    @Test("DCEP parser refuses garbage")
    func dcepParser() throws {
        #expect(throws: DataChannelParseError.self) { try DCEPMessage.parse([]) }
        #expect(throws: DataChannelParseError.self) { try DCEPMessage.parse([3, 0, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0]) }
        #expect(throws: DataChannelParseError.self) { try DCEPMessage.parse([3, 0x55, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) }
        let open = DCEPMessage.open(DCEPOpen(channelType: .partialReliableRexmitUnordered, priority: 512, reliabilityParameter: 3, label: "ü", protocol: "p"))
        #expect(try DCEPMessage.parse(open.serialize()) == open)
    }

    @Test("association shutdown closes every channel")
    func shutdownClosesChannels() throws {
        var p = Self.connectedPair(seed: 9)
        let id = try p.a.createDataChannel(label: "x", now: p.now)
        _ = Self.run(&p) { _, b in b.contains(.open(id)) }
        p.b.shutdown(now: p.now)
        let (a, b) = Self.run(&p) { a, b in a.contains(.disconnected(reason: "closed")) && b.contains(.disconnected(reason: "closed")) }
        #expect(a.contains(.closed(id)) && b.contains(.closed(id)))
    }
}
