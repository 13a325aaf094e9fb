import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Bulk transfers over the simulated link: every byte arrives, in order, under bad conditions.
@Suite struct TransferTests {
    /// A pair of associations on links with `c`. Odd seeds negotiate I-DATA (RFC 8260), even
    /// seeds plain DATA (as with Chromium and aiortc), so every seed matrix covers both.
    static func pair(_ c: PairLinkConditions, seed: UInt64, interleaving: Bool? = nil) -> SimPair<SCTPAssociation> {
        var ca = SCTPConfiguration(); ca.randomSeed = seed &* 3 &+ 1
        var cb = SCTPConfiguration(); cb.randomSeed = seed &* 5 &+ 2
        ca.enableInterleaving = interleaving ?? (seed % 2 == 1)
        return SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb), ab: c, ba: c, seed: seed)
    }

    @Test("every message arrives in order under loss", arguments: [0.0, 0.01, 0.05, 0.20])
    func lossMatrix(loss: Double) {
        for seed: UInt64 in [1, 2] {
            var p = Self.pair(PairLinkConditions(delay: .milliseconds(20), loss: loss), seed: seed)
            var s = TransferScenario(messageCount: 150, messageSize: { 100 + ($0 * 977) % 9000 })
            s.highWater = 64 << 10; s.lowWater = 16 << 10
            let r = s.run(&p)
            #expect(r.failure == nil, "seed \(seed) loss \(loss): \(r.failure ?? "")")
            #expect(r.delivered == 150, "seed \(seed)")
            if loss == 0 { #expect(p.a.statistics.retransmissions == 0, "seed \(seed)") }
        }
    }

    @Test("reordering, duplication, jitter and corruption")
    func hostileLink() {
        for seed: UInt64 in [7, 8, 9] {
            let c = PairLinkConditions(delay: .milliseconds(15), jitter: .milliseconds(10), loss: 0.02, duplicate: 0.05, reorder: 0.1, corrupt: 0.02)
            var p = Self.pair(c, seed: seed)
            var s = TransferScenario(messageCount: 200, messageSize: { 1 + ($0 * 1311) % 5000 })
            s.highWater = 64 << 10; s.lowWater = 8 << 10
            let r = s.run(&p)
            #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
            #expect(p.b.statistics.duplicateTSNs > 0 || p.a.statistics.duplicateTSNs >= 0)
            #expect(p.a.statistics.badChecksum + p.b.statistics.badChecksum > 0, "seed \(seed): corruption must be detected")
        }
    }

    @Test("losses are mostly repaired by fast retransmit, not by T3 timeouts")
    func fastRetransmit() {
        let seed: UInt64 = 31
        var p = Self.pair(PairLinkConditions(delay: .milliseconds(25), loss: 0.01), seed: seed)
        var s = TransferScenario(messageCount: 128, messageSize: { _ in 64 * 1024 })  // 8 MiB
        s.verifyContent = false
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        let stats = p.a.statistics
        #expect(stats.fastRetransmits > 10, "seed \(seed): \(stats)")
        #expect(stats.t3Expirations * 5 < stats.fastRetransmits, "seed \(seed): \(stats)")
    }

    @Test("RTT from 0 to 300 ms", arguments: [0, 10, 100, 300])
    func rttMatrix(rttMillis: Int) {
        let seed = UInt64(rttMillis + 11)
        var p = Self.pair(PairLinkConditions(delay: .milliseconds(Int64(rttMillis / 2)), loss: 0.01), seed: seed)
        var s = TransferScenario(messageCount: 100, messageSize: { _ in 4000 })
        s.highWater = 128 << 10; s.lowWater = 32 << 10
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed) rtt \(rttMillis): \(r.failure ?? "")")
    }

    @Test("bandwidth cap: rate-limited bottleneck with a small queue")
    func bandwidthCap() {
        let seed: UInt64 = 21
        var c = PairLinkConditions(delay: .milliseconds(10), rateBitsPerSecond: 8_000_000)
        c.queueBytes = 32 * 1024
        var p = Self.pair(c, seed: seed)
        var s = TransferScenario(messageCount: 64, messageSize: { _ in 64 * 1024 })
        s.highWater = 512 << 10
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        // 4 MiB at 8 Mbit/s takes at least 4.2 s; a sane stack stays within 4x of that.
        #expect(r.elapsed.seconds > 4.1 && r.elapsed.seconds < 17, "seed \(seed): took \(r.elapsed)")
    }

    @Test("messages above the advertised 256 KiB are accepted up to the configured bound")
    func largeMessages() {
        let seed: UInt64 = 1 << 20
        var ca = SCTPConfiguration(); ca.randomSeed = 1; ca.maxSendMessageSize = 4 << 20
        var cb = SCTPConfiguration(); cb.randomSeed = 2; cb.maxReceiveMessageSize = 2 << 20
        var p = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                        ab: PairLinkConditions(delay: .milliseconds(5), loss: 0.01), ba: PairLinkConditions(delay: .milliseconds(5)), seed: seed)
        var s = TransferScenario(messageCount: 3, messageSize: { _ in 1 << 20 })
        s.highWater = 4 << 20; s.lowWater = 1 << 20
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
    }

    @Test("message sizes 1 B, 1200 B, 64 KiB, 256 KiB", arguments: [1, 1200, 65536, 262144])
    func messageSizes(size: Int) {
        let seed = UInt64(size)
        var p = Self.pair(PairLinkConditions(delay: .milliseconds(5), loss: 0.01), seed: seed)
        var s = TransferScenario(messageCount: size > 100_000 ? 8 : 40, messageSize: { _ in size })
        s.highWater = 1 << 20
        let r = s.run(&p)
        #expect(r.failure == nil, "seed \(seed) size \(size): \(r.failure ?? "")")
    }
}
