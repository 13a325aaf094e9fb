import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// I-DATA (RFC 8260): negotiation through Supported Extensions, interleaving of messages of
/// different streams, and I-FORWARD-TSN.
@Suite struct InterleavingTests {
    static func connect(_ p: inout SimPair<SCTPAssociation>) {
        try? p.a.connect(now: p.now)
        for _ in 0..<1000 where !(p.a.isEstablished && p.b.isEstablished) {
            p.step(); while p.a.pollEvent() != nil {}; while p.b.pollEvent() != nil {}
        }
    }

    @Test("I-DATA is used only when both sides offer it", arguments: [(true, true), (true, false), (false, true), (false, false)])
    func negotiation(a: Bool, b: Bool) throws {
        var ca = SCTPConfiguration(); ca.randomSeed = 1; ca.enableInterleaving = a
        var cb = SCTPConfiguration(); cb.randomSeed = 2; cb.enableInterleaving = b
        var p = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                        ab: PairLinkConditions(delay: .milliseconds(5)), ba: PairLinkConditions(delay: .milliseconds(5)), seed: 1)
        Self.connect(&p)
        #expect(p.a.isEstablished && p.b.isEstablished)
        #expect(p.a.usesInterleaving == (a && b) && p.b.usesInterleaving == (a && b))
        try p.a.send(stream: 2, ppid: 53, message: TransferScenario.payload(index: 0, size: 5000), now: p.now)
        var got: SCTPMessage?
        for _ in 0..<1000 where got == nil {
            p.step()
            while let e = p.b.pollEvent() { if case .message(let m) = e { got = m } }
        }
        #expect(got.map { TransferScenario.check($0.payload, expectedIndex: 0) } == 0)
    }

    /// Sends a 256 KiB message on stream 1, then a small one on stream 3; returns the order in
    /// which b completed them.
    static func largeThenSmall(interleaving: Bool, seed: UInt64, loss: Double) throws -> [UInt16] {
        let link = PairLinkConditions(delay: .milliseconds(10), loss: loss, rateBitsPerSecond: 20_000_000)
        var p = TransferTests.pair(link, seed: seed, interleaving: interleaving)
        Self.connect(&p)
        #expect(p.a.usesInterleaving == interleaving)
        let large = TransferScenario.payload(index: 1, size: 256 * 1024)
        let small = TransferScenario.payload(index: 3, size: 200)
        try p.a.send(stream: 1, ppid: 53, message: large, now: p.now)
        try p.a.send(stream: 3, ppid: 53, message: small, now: p.now)
        var order: [UInt16] = []
        let end = p.now + .seconds(60)
        while order.count < 2, p.now < end, p.step(limit: end) {
            while p.a.pollEvent() != nil {}
            while let e = p.b.pollEvent() {
                guard case .message(let m) = e else { continue }
                order.append(m.streamID)
                #expect(m.payload == (m.streamID == 1 ? large : small), "seed \(seed)")
            }
        }
        return order
    }

    @Test("with I-DATA a large message on one stream does not block a small one on another",
          arguments: [UInt64(1), 2, 3, 4])
    func smallOvertakesLarge(seed: UInt64) throws {
        let loss = seed > 2 ? 0.02 : 0
        #expect(try Self.largeThenSmall(interleaving: true, seed: seed, loss: loss) == [3, 1], "seed \(seed)")
        // Plain DATA sends a message's fragments back to back: the small one waits.
        #expect(try Self.largeThenSmall(interleaving: false, seed: seed, loss: loss) == [1, 3], "seed \(seed)")
    }

    @Test("interleaved streams under loss and reordering: every stream in order, partial reliability skips by MID",
          arguments: [UInt64(5), 7, 9])
    func manyStreamsLossy(seed: UInt64) throws {
        let link = PairLinkConditions(delay: .milliseconds(15), jitter: .milliseconds(5), loss: 0.05, reorder: 0.05)
        var p = TransferTests.pair(link, seed: seed, interleaving: true)
        Self.connect(&p)
        #expect(p.a.usesInterleaving)
        var rng = SeededRandom(seed: seed)
        let count = 120
        var expected: [UInt16: [Int]] = [:]
        for i in 0..<count {
            let stream = UInt16(rng.next() % 4)
            let size = 1 + Int(rng.next() % 40_000)
            // Stream 3 is unreliable (no retransmissions), unordered: some messages may be skipped.
            let reliable = stream != 3
            try p.a.send(stream: stream, ppid: 53, message: TransferScenario.payload(index: i, size: max(4, size)), ordered: reliable,
                         reliability: reliable ? .reliable : .maxRetransmits(0), now: p.now)
            if reliable { expected[stream, default: []].append(i) }
        }
        var got: [UInt16: [Int]] = [:]
        let end = p.now + .seconds(120)
        while p.now < end, p.step(limit: end) {
            while p.a.pollEvent() != nil {}
            while let e = p.b.pollEvent() {
                guard case .message(let m) = e else { continue }
                guard let index = TransferScenario.check(m.payload, expectedIndex: nil) else {
                    Issue.record("seed \(seed): corrupt message on stream \(m.streamID)"); continue
                }
                got[m.streamID, default: []].append(index)
            }
            if p.a.totalBufferedAmount == 0 && p.a.outstandingChunkCount == 0 && p.ab.inFlight == 0 && p.ba.inFlight == 0 { break }
        }
        for s: UInt16 in 0..<3 { #expect(got[s] ?? [] == expected[s] ?? [], "seed \(seed): stream \(s)") }
        #expect(p.b.receiveBufferedBytes == 0, "seed \(seed): nothing left in reassembly")
    }

    @Test("an I-DATA chunk on an association that did not negotiate it aborts with a protocol violation")
    func iDataWithoutNegotiation() throws {
        var p = TransferTests.pair(PairLinkConditions(), seed: 2, interleaving: false)
        Self.connect(&p)
        // Take b's verification tag from a DATA packet a sends.
        try p.a.send(stream: 0, ppid: 53, message: [1], now: p.now)
        guard let data = p.a.pollTransmit() else { Issue.record("no DATA"); return }
        let tag = try SCTPPacket.parse(data).verificationTag
        let bogus = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: tag,
                               chunks: [.iData(IDataChunk(tsn: 1, streamID: 0, mid: 0, ppid: 53, payload: [1, 2][...]))])
        p.b.handle(packet: bogus.serialize(), now: p.now)
        var aborted = false
        while let e = p.b.pollEvent() { if case .aborted = e { aborted = true } }
        #expect(aborted && p.b.state == .closed)
    }
}
