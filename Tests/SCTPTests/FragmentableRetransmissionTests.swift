import NetSim
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// DATA chunks sized to the packet size PLPMTUD confirmed, and what happens to them when the
/// path narrows after they were sent (RFC 9260 §7.3): each is resent alone in a packet marked
/// as fragmentable, which the NetSim link lets through as IP fragments would, while packets
/// with DF set above the link MTU are dropped.
@Suite struct FragmentableRetransmissionTests {
    typealias Pair = PathMTUDiscoveryTests.Pair

    /// The DATA and I-DATA chunks in an SCTP packet (chunk types 0 and 64).
    static func dataChunks(in packet: [UInt8]) -> Int {
        var offset = SCTPPacket.headerSize, count = 0
        while offset + 4 <= packet.count {
            let length = Int(packet[offset + 2]) << 8 | Int(packet[offset + 3])
            guard length >= 4 else { break }
            if packet[offset] == 0 || packet[offset] == 64 { count += 1 }
            offset += (length + 3) & ~3
        }
        return count
    }

    @Test("at a confirmed 16 KiB packet size a 64 KiB message is 5 DATA chunks, not 58")
    func chunksFillTheRaisedPacketSize() throws {
        let pair = try Pair(seed: 21, link: LinkConditions(delay: .milliseconds(5), mtu: 65_535))
        try pair.net.run(for: .seconds(2))
        #expect(pair.a.core.pathMTU == 16_384)
        let before = pair.a.core.statistics.dataChunksSent
        let count = 40
        for i in 0..<count {
            try pair.a.core.send(stream: 0, ppid: 53, message: TransferScenario.payload(index: i, size: 65_536), now: pair.net.now)
        }
        try pair.net.run(maxTime: .seconds(60)) { pair.b.received.count == count }
        #expect(pair.b.received.count == count)
        for (i, m) in pair.b.received.enumerated() {
            #expect(TransferScenario.check(m.payload, expectedIndex: i) == i)
        }
        // 65 536 / (16 384 - 12 - 16) = 4.01: 5 chunks a message (a chunk may end a message early
        // when the packet it shares has less room left).
        let chunks = pair.a.core.statistics.dataChunksSent - before
        #expect(chunks >= 5 * count && chunks <= 6 * count, "\(chunks) DATA chunks for \(count) messages")
        #expect(pair.a.core.statistics.fragmentableRetransmissions == 0)
    }

    @Test("the link MTU drops mid-transfer: oversize chunks are resent alone, fragmentable; every message arrives in order",
          arguments: [UInt64(11), 12, 13])
    func mtuDropsMidTransfer(seed: UInt64) throws {
        let pair = try Pair.raised(seed: seed, loss: 0.005)
        // Every datagram A sends, as sent (the predicate drops nothing).
        var marked: [Transmit] = []
        pair.net.drop { t in
            if t.mayFragment { marked.append(t) }
            return false
        }
        try pair.transfer(count: 200, seed: seed) { pair.setMTU(1500) }
        let stats = pair.a.core.statistics
        #expect(stats.pathMTUBlackHoles >= 1, "seed \(seed)")
        #expect(stats.fragmentableRetransmissions > 0, "seed \(seed)")
        #expect(stats.fragmentableRetransmissions == marked.count, "seed \(seed)")
        // Marked only when needed, and then alone: one DATA chunk, in a packet over the path MTU.
        for t in marked {
            #expect(t.payload.count > 1200, "seed \(seed): marked, yet it fits the base packet size")
            #expect(Self.dataChunks(in: t.payload) == 1, "seed \(seed)")
            #expect(t.payload.count <= 16_384, "seed \(seed)")
        }
        // The link dropped the DF datagrams above its MTU and let the marked ones through in fragments.
        #expect(pair.net.stats.oversize > 0, "seed \(seed): \(pair.net.stats)")
        #expect(pair.net.stats.fragmented > 0, "seed \(seed): \(pair.net.stats)")
    }

    @Test("turning discovery off (a move to a TURN relay) with 16 KiB chunks in flight: they are resent fragmentable")
    func discoveryTurnedOff() throws {
        // On a rate-limited link, so packets are on the wire at every moment.
        let pair = try Pair.raised(seed: 31, loss: 0, jitter: .zero)
        var marked = 0, largeSent = 0
        pair.net.drop { t in
            if t.mayFragment { marked += 1 }
            if t.payload.count > 8_000, pair.b.received.count >= 4 { largeSent += 1 }
            return false
        }
        let count = 48
        for i in 0..<count {
            try pair.a.core.send(stream: 0, ppid: 53, message: TransferScenario.payload(index: i, size: 65_536), now: pair.net.now)
        }
        // The path moves while 16 KiB chunks are on the wire: to a relay's path of 1500 bytes.
        try pair.net.run(maxTime: .seconds(10)) { largeSent >= 3 }
        pair.a.core.setPathMTUDiscovery(enabled: false, now: pair.net.now)
        pair.setMTU(1500)
        try pair.net.run(maxTime: .seconds(120)) { pair.b.received.count == count }
        #expect(pair.b.received.count == count)
        for (i, m) in pair.b.received.enumerated() {
            #expect(TransferScenario.check(m.payload, expectedIndex: i) == i)
        }
        #expect(pair.a.core.pathMTU == 1200)
        #expect(pair.net.stats.oversize > 0, "\(pair.net.stats)")
        #expect(pair.a.core.statistics.fragmentableRetransmissions == marked)
        #expect(marked > 0, "\(pair.a.core.statistics) \(pair.net.stats)")
    }
}
