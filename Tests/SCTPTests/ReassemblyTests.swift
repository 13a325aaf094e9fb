import SCTP
import Testing
import WireKit

/// The one fragment store for DATA and I-DATA, fed crafted packets: fragments out of order,
/// several unordered DATA messages of one stream at once, duplicates under another TSN.
@Suite struct ReassemblyTests {
    /// An established pair (DATA or I-DATA), the tag and first TSN for crafted packets from a to b.
    static func established(interleaving: Bool) throws -> (a: SCTPAssociation, b: SCTPAssociation, tag: UInt32, tsn: UInt32) {
        var ca = SCTPConfiguration(); ca.enableInterleaving = interleaving; ca.randomSeed = 11
        var cb = SCTPConfiguration(); cb.enableInterleaving = interleaving; cb.randomSeed = 12
        var (a, b) = try SackTimingTests.established(ca, cb)
        guard a.usesInterleaving == interleaving else { throw SCTPError.invalidState(a.state) }
        // One real message tells the tag and the TSN the peer expects next.
        try a.send(stream: 0, ppid: 53, message: [0], now: .zero)
        let sent = a.pollTransmit()
        let packet = try #require(sent)
        let parsed = try SCTPPacket.parse(packet)
        let tsn: UInt32
        switch parsed.chunks.first {
        case .data(let d): tsn = d.tsn
        case .iData(let d): tsn = d.tsn
        default: throw SCTPError.invalidState(a.state)
        }
        b.handle(packet: packet, now: .zero)
        while b.pollEvent() != nil {}
        return (a, b, parsed.verificationTag, tsn &+ 1)
    }

    static func packet(tag: UInt32, _ chunk: SCTPChunk) -> [UInt8] {
        SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: tag, chunks: [chunk]).serialize()
    }

    static func messages(_ b: inout SCTPAssociation) -> [SCTPMessage] {
        var out = [SCTPMessage]()
        while let e = b.pollEvent() { if case .message(let m) = e { out.append(m) } }
        return out
    }

    /// `count` bytes starting at `seed` (so fragments are told apart).
    static func bytes(_ seed: UInt8, _ count: Int) -> [UInt8] { (0..<count).map { seed &+ UInt8(truncatingIfNeeded: $0) } }

    @Test("unordered DATA: two messages of one stream in flight at once, fragments out of order; a complete one is delivered at once",
          arguments: [false, true])
    func unorderedDataSharedKey(laterFirst: Bool) throws {
        var (_, b, tag, t) = try Self.established(interleaving: false)
        let m1 = [Self.bytes(1, 100), Self.bytes(2, 100), Self.bytes(3, 50)]
        let m2 = [Self.bytes(7, 100), Self.bytes(8, 100), Self.bytes(9, 30)]
        func chunk(_ message: [[UInt8]], _ i: Int, tsn: UInt32) -> SCTPChunk {
            .data(DataChunk(tsn: tsn, streamID: 2, ssn: 0, ppid: 53, unordered: true, beginning: i == 0,
                            ending: i == message.count - 1, payload: message[i][...]))
        }
        // One message begins; all of the other arrives (its B while the first is in progress,
        // at higher or lower TSNs); then the first one's rest, reversed.
        let (first, firstTSN, second, secondTSN) = laterFirst ? (m2, t + 3, m1, t) : (m1, t, m2, t + 3)
        for c in [chunk(first, 0, tsn: firstTSN), chunk(second, 0, tsn: secondTSN), chunk(second, 2, tsn: secondTSN + 2),
                  chunk(second, 1, tsn: secondTSN + 1)] {
            b.handle(packet: Self.packet(tag: tag, c), now: .zero)
        }
        #expect(Self.messages(&b).map(\.payload) == [second.flatMap { $0 }])
        for c in [chunk(first, 2, tsn: firstTSN + 2), chunk(first, 1, tsn: firstTSN + 1)] {
            b.handle(packet: Self.packet(tag: tag, c), now: .zero)
        }
        let last = Self.messages(&b)
        #expect(last.map(\.payload) == [first.flatMap { $0 }])
        #expect(last.first?.unordered == true && last.first?.streamID == 2)
        #expect(b.receiveBufferedBytes == 0)
    }

    @Test("ordered DATA and I-DATA: a message's fragments reversed, the next message complete first; delivered in order, exact bytes",
          arguments: [false, true])
    func orderedReversed(interleaving: Bool) throws {
        var (_, b, tag, t) = try Self.established(interleaving: interleaving)
        let m0 = [Self.bytes(10, 300), Self.bytes(20, 300), Self.bytes(30, 300), Self.bytes(40, 7)]
        let m1 = [Self.bytes(50, 300), Self.bytes(60, 11)]
        func chunk(_ message: [[UInt8]], _ i: Int, sequence: UInt16, tsn: UInt32) -> SCTPChunk {
            let b = i == 0, e = i == message.count - 1
            if interleaving {
                return .iData(IDataChunk(tsn: tsn, streamID: 4, mid: UInt32(sequence), ppid: b ? 51 : 0, fsn: UInt32(i),
                                         beginning: b, ending: e, payload: message[i][...]))
            }
            return .data(DataChunk(tsn: tsn, streamID: 4, ssn: sequence, ppid: 51, beginning: b, ending: e, payload: message[i][...]))
        }
        // Message 1 whole first (held for order), then message 0 from its last fragment back.
        let n0 = UInt32(m0.count)
        var order: [SCTPChunk] = [chunk(m1, 0, sequence: 1, tsn: t + n0), chunk(m1, 1, sequence: 1, tsn: t + n0 + 1)]
        for i in stride(from: m0.count - 1, through: 0, by: -1) { order.append(chunk(m0, i, sequence: 0, tsn: t + UInt32(i))) }
        for (k, c) in order.enumerated() {
            b.handle(packet: Self.packet(tag: tag, c), now: .zero)
            if k < order.count - 1 { #expect(Self.messages(&b).isEmpty, "step \(k)") }
        }
        let got = Self.messages(&b)
        #expect(got.map(\.payload) == [m0.flatMap { $0 }, m1.flatMap { $0 }])
        #expect(got.allSatisfy { $0.ppid == 51 && !$0.unordered })
        #expect(b.receiveBufferedBytes == 0)
    }

    @Test("I-DATA: the same fragment again under a new TSN is ignored, the message arrives once")
    func iDataDuplicateFragment() throws {
        var (_, b, tag, t) = try Self.established(interleaving: true)
        let parts = [Self.bytes(1, 200), Self.bytes(2, 200), Self.bytes(3, 5)]
        func chunk(_ i: Int, tsn: UInt32) -> SCTPChunk {
            .iData(IDataChunk(tsn: tsn, streamID: 6, mid: 0, ppid: i == 0 ? 53 : 0, fsn: UInt32(i), beginning: i == 0,
                              ending: i == parts.count - 1, payload: parts[i][...]))
        }
        for c in [chunk(0, tsn: t), chunk(1, tsn: t + 1), chunk(0, tsn: t + 2), chunk(2, tsn: t + 3)] {
            b.handle(packet: Self.packet(tag: tag, c), now: .zero)
        }
        #expect(Self.messages(&b).map(\.payload) == [parts.flatMap { $0 }])
        #expect(b.receiveBufferedBytes == 0)
    }

    @Test("a message much smaller than the buffer reserved for it (from the size of the one before) is delivered in a buffer of its size")
    func smallMessageAfterALargeOneIsNotOverReserved() throws {
        var (_, b, tag, t) = try Self.established(interleaving: false)
        var tsn = t
        func send(_ parts: [[UInt8]], ssn: UInt16) {
            for (i, part) in parts.enumerated() {
                let c = SCTPChunk.data(DataChunk(tsn: tsn, streamID: 1, ssn: ssn, ppid: 53, unordered: false, beginning: i == 0,
                                                 ending: i == parts.count - 1, payload: part[...]))
                b.handle(packet: Self.packet(tag: tag, c), now: .zero)
                tsn &+= 1
            }
        }
        let large = (0..<100).map { Self.bytes(UInt8($0), 1000) }   // 100 KB: the next buffer is reserved at twice that
        let small = (0..<10).map { Self.bytes(UInt8($0 + 100), 1000) }
        send(large, ssn: 0)
        send(small, ssn: 1)
        let got = Self.messages(&b)
        #expect(got.map(\.payload) == [large.flatMap { $0 }, small.flatMap { $0 }])
        let delivered = try #require(got.last?.payload)
        #expect(!SpareCapacity.isExcessive(capacity: delivered.capacity, keeping: delivered.count),
                "a 10 KB message held a buffer of \(delivered.capacity) bytes")
    }
}
