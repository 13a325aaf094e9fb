import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// PR-SCTP, unordered delivery, and the receive window.
@Suite struct ReliabilityTests {
    @Test("maxRetransmits: every message is delivered intact or abandoned, never both lost and unreported",
          arguments: [0, 2])
    func maxRetransmits(limit: Int) {
        for ordered in [true, false] {
            let seed = UInt64(100 + limit * 2 + (ordered ? 1 : 0))
            var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(10), loss: 0.1), seed: seed)
            var s = TransferScenario(messageCount: 300, messageSize: { 200 + ($0 * 37) % 3000 })
            s.ordered = ordered
            s.reliability = .maxRetransmits(limit)
            s.highWater = 32 << 10; s.lowWater = 8 << 10
            let r = s.run(&p)
            let abandoned = p.a.statistics.abandonedMessages
            #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
            #expect(r.delivered <= 300 && r.delivered + abandoned >= 300,
                    "seed \(seed): delivered \(r.delivered), abandoned \(abandoned)")
            if limit == 0 { #expect(abandoned > 0, "seed \(seed): 10% loss must exhaust some retransmission budgets") }
            #expect(Set(r.order).count == r.order.count, "seed \(seed): duplicate delivery")
            #expect(p.b.receiveBufferedBytes == 0, "seed \(seed): orphaned fragments left in reassembly")
            if ordered { #expect(r.order == r.order.sorted(), "seed \(seed): ordered channel delivered out of order") }
        }
    }

    @Test("maxLifetime: stale messages are dropped, the rest arrive in order")
    func maxLifetime() {
        let seed: UInt64 = 300
        var c = PairLinkConditions(delay: .milliseconds(40), loss: 0.05)
        c.rateBitsPerSecond = 2_000_000
        var p = TransferTests.pair(c, seed: seed)
        var s = TransferScenario(messageCount: 200, messageSize: { _ in 2000 })
        s.reliability = .maxLifetime(.milliseconds(150))
        s.highWater = 200 << 10; s.lowWater = 100 << 10
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        #expect(p.a.statistics.abandonedMessages > 0, "seed \(seed)")
        #expect(r.delivered + p.a.statistics.abandonedMessages >= 200, "seed \(seed)")
        #expect(r.order == r.order.sorted(), "seed \(seed)")
    }

    @Test("reliable transfers never abandon")
    func reliableNeverAbandons() {
        var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(10), loss: 0.1), seed: 5)
        let r = TransferScenario(messageCount: 100, messageSize: { _ in 1500 }).run(&p)
        #expect(r.failure == nil, "seed 5: \(r.failure ?? "")")
        #expect(p.a.statistics.abandonedMessages == 0)
    }

    @Test("unordered messages overtake each other when the network reorders")
    func unorderedReorders() {
        let seed: UInt64 = 77
        var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(10), reorder: 0.3), seed: seed)
        var s = TransferScenario(messageCount: 300, messageSize: { _ in 500 })
        s.ordered = false
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        #expect(r.delivered == 300, "seed \(seed)")
        #expect(r.order != r.order.sorted(), "seed \(seed): reordering must show through unordered delivery")
        #expect(Set(r.order) == Set(0..<300), "seed \(seed)")
    }

    @Test("a slow receiver closes the window; the sender waits, nothing is lost, memory stays bounded")
    func zeroWindowSlowReceiver() throws {
        let seed: UInt64 = 88
        var ca = SCTPConfiguration(); ca.randomSeed = 1
        var cb = SCTPConfiguration(); cb.randomSeed = 2
        cb.receiveWindow = 64 * 1024
        cb.maxReceiveMessageSize = 16 * 1024
        var p = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                        ab: PairLinkConditions(delay: .milliseconds(5)), ba: PairLinkConditions(delay: .milliseconds(5)), seed: seed)
        try p.a.connect(now: p.now)
        while !(p.a.isEstablished && p.b.isEstablished) { p.step(); while p.a.pollEvent() != nil {}; while p.b.pollEvent() != nil {} }
        let count = 200
        for i in 0..<count {
            try p.a.send(stream: 0, ppid: 53, message: TransferScenario.payload(index: i, size: 8192), now: p.now)
        }
        var next = 0
        var peak = 0
        var nextRead = p.now
        var sawZeroWindow = false
        var minWindow = Int.max
        while next < count, p.now < .zero + .seconds(600) {
            p.step(limit: nextRead)
            peak = max(peak, p.b.receiveBufferedBytes)
            if p.b.advertisedReceiveWindow < 8192 { sawZeroWindow = true }  // less than one message: the sender is window-limited
            minWindow = min(minWindow, p.b.advertisedReceiveWindow)
            while p.a.pollEvent() != nil {}
            if p.now >= nextRead {
                // The application reads one message every 20 ms.
                while let e = p.b.pollEvent() {
                    if case .message(let m) = e {
                        #expect(TransferScenario.check(m.payload, expectedIndex: next) == next, "seed \(seed)")
                        next += 1
                        break
                    }
                }
                nextRead = p.now + .milliseconds(20)
            }
        }
        #expect(next == count, "seed \(seed): \(next) of \(count)")
        #expect(sawZeroWindow, "seed \(seed): the window never closed; min \(minWindow) at \(p.now) peak \(peak)")
        #expect(peak <= 2 * 64 * 1024, "seed \(seed): receive buffer grew to \(peak)")
    }

    @Test("memory stays bounded during a large lossy transfer")
    func boundedMemory() {
        let seed: UInt64 = 99
        var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(25), loss: 0.01), seed: seed)
        var s = TransferScenario(messageCount: 256, messageSize: { _ in 64 * 1024 })  // 16 MiB
        s.highWater = 1 << 20; s.lowWater = 256 << 10
        s.verifyContent = false
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        #expect(r.peakReceiveBuffer <= 2 * p.b.configuration.receiveWindow, "seed \(seed)")
        #expect(r.peakSendQueue <= s.highWater + 64 * 1024, "seed \(seed)")
        // Outstanding chunks are bounded by the peer's window (4 MiB / ~1170 B) plus one packet.
        #expect(r.peakOutstanding <= p.b.configuration.receiveWindow / 1000, "seed \(seed): \(r.peakOutstanding)")
    }
}
