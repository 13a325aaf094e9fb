import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Delayed SACK rules (RFC 9260 §6.2): every second packet, within 200 ms, at once on gaps.
@Suite struct SackTimingTests {
    /// Two established associations exchanging packets by hand (no link), at time zero.
    static func established(_ ca: SCTPConfiguration = SCTPConfiguration(),
                            _ cb: SCTPConfiguration = SCTPConfiguration()) throws -> (SCTPAssociation, SCTPAssociation) {
        var a = SCTPAssociation(configuration: ca), b = SCTPAssociation(configuration: cb)
        try a.connect(now: .zero)
        for _ in 0..<4 {
            while let p = a.pollTransmit() { b.handle(packet: p, now: .zero) }
            while let p = b.pollTransmit() { a.handle(packet: p, now: .zero) }
        }
        while a.pollEvent() != nil {}
        while b.pollEvent() != nil {}
        guard a.isEstablished && b.isEstablished else { throw SCTPError.invalidState(a.state) }
        return (a, b)
    }

    static func sacks(_ packet: [UInt8]) throws -> [SackChunk] {
        try SCTPPacket.parse(packet).chunks.compactMap { if case .sack(let s) = $0 { return s } else { return nil } }
    }

    @Test("one packet: SACK after the delayed-ack timeout; two packets: SACK at once")
    func delayedAck() throws {
        var (a, b) = try Self.established()
        try a.send(stream: 0, ppid: 53, message: [1], now: .zero)
        b.handle(packet: try LifecycleTests.take(&a), now: .zero)
        #expect(b.pollTransmit() == nil)
        #expect(b.pollTimeout() == .zero + .milliseconds(200))
        b.handle(timeout: .zero + .milliseconds(200))
        #expect(try Self.sacks(try LifecycleTests.take(&b)).count == 1)
        let t = Instant.zero + .milliseconds(300)
        try a.send(stream: 0, ppid: 53, message: [2], now: t)
        let p1 = try LifecycleTests.take(&a)
        try a.send(stream: 0, ppid: 53, message: [3], now: t)
        let p2 = try LifecycleTests.take(&a)
        b.handle(packet: p1, now: t)
        #expect(b.pollTransmit() == nil)
        b.handle(packet: p2, now: t)
        let sack = try #require(try Self.sacks(try LifecycleTests.take(&b)).first)
        #expect(sack.gapBlocks.isEmpty && sack.duplicateTSNs.isEmpty)
    }

    @Test("a gap is reported at once with a gap block; a duplicate at once with its TSN")
    func gapsAndDuplicates() throws {
        var (a, b) = try Self.established()
        var packets = [[UInt8]]()
        for i in 0..<3 {
            try a.send(stream: 0, ppid: 53, message: [UInt8(i)], now: .zero)
            packets.append(try LifecycleTests.take(&a))
        }
        b.handle(packet: packets[0], now: .zero)
        b.handle(packet: packets[2], now: .zero)  // packets[1] is "lost"
        let gap = try #require(try Self.sacks(try LifecycleTests.take(&b)).last)
        #expect(gap.gapBlocks == [.init(start: 2, end: 2)])
        b.handle(packet: packets[2], now: .zero)  // duplicate
        let dup = try #require(try Self.sacks(try LifecycleTests.take(&b)).last)
        #expect(dup.duplicateTSNs.count == 1)
        #expect(b.statistics.duplicateTSNs == 1)
    }
}
