import Testing
import WireKit
@testable import NetSim

@Suite struct DeterminismTests {
    /// A busy scenario touching every random choice: jitter, loss, burst loss, reordering,
    /// duplication, a rate cap, and a NAT on the way.
    func scenario(seed: UInt64) throws -> SimNetwork {
        let net = SimNetwork(seed: seed, traceCapacity: 100_000)
        let nat = net.addNAT(publicAddress: Addr.natA, type: .portRestrictedCone)
        let sender = ToySender(local: Addr.at(Addr.inside1, 5000), remote: Addr.at(Addr.b, 6000), totalPackets: 2000,
                               packetSize: 800, window: 32, retransmitTimeout: .milliseconds(200))
        let receiver = ToyReceiver()
        net.addHost(sender, addresses: [Addr.inside1],
                    uplink: LinkConditions(delay: .milliseconds(15), jitter: .milliseconds(5), loss: 0.02,
                                           burstLoss: GilbertElliott(meanLoss: 0.02, meanBurstLength: 3), reorder: 0.02,
                                           duplicate: 0.01, rateBitsPerSecond: 4_000_000, queueLimitBytes: 16 * 1024),
                    behind: nat)
        net.addHost(receiver, addresses: [Addr.b], uplink: LinkConditions(delay: .milliseconds(10), jitter: .milliseconds(3), loss: 0.02))
        try net.run(for: .seconds(5))
        return net
    }

    @Test func sameSeedGivesTheSameTrace() throws {
        let first = try scenario(seed: 0x5EED)
        let second = try scenario(seed: 0x5EED)
        #expect(first.traceCount > 4000)
        #expect(first.trace == second.trace)
        #expect(first.traceDigest == second.traceDigest)
        #expect(first.stats == second.stats)
        #expect(first.stats.lost > 0 && first.stats.reordered > 0 && first.stats.duplicated > 0)
    }

    @Test func differentSeedGivesADifferentTrace() throws {
        let first = try scenario(seed: 1)
        let second = try scenario(seed: 2)
        #expect(first.traceDigest != second.traceDigest)
        #expect(first.trace != second.trace)
    }

    @Test func digestCoversEntriesTheRingDropped() throws {
        let full = try scenario(seed: 3)
        let small = try scenario(seed: 3)
        small.traceCapacity = 10
        #expect(small.traceCapacity == 10)
        #expect(small.trace.count == 10)
        #expect(small.trace == Array(full.trace.suffix(10)))
        #expect(small.traceDigest == full.traceDigest)
    }
}
