import Testing
import WireKit
@testable import NetSim

@Suite struct TransferTests {
    /// A 30-simulated-second bulk transfer over a lossy, delayed, jittery, rate-capped link
    /// finishes correctly. Wall time is printed, never asserted.
    @Test func thirtySimulatedSecondsOfTransfer() throws {
        let seed: UInt64 = 30
        let net = SimNetwork(seed: seed)
        let total = 5000  // 6 MB: ~24 s at the 2 Mbit/s cap, the rest for losses
        let sender = ToySender(local: Addr.at(Addr.a, 5000), remote: Addr.at(Addr.b, 6000), totalPackets: total,
                               packetSize: 1200, window: 48, retransmitTimeout: .milliseconds(500))
        let receiver = ToyReceiver()
        net.addHost(sender, addresses: [Addr.a],
                    uplink: LinkConditions(delay: .milliseconds(30), jitter: .milliseconds(5), loss: 0.01,
                                           burstLoss: GilbertElliott(meanLoss: 0.01, meanBurstLength: 3),
                                           rateBitsPerSecond: 2_000_000, queueLimitBytes: 64 * 1024))
        net.addHost(receiver, addresses: [Addr.b], uplink: LinkConditions(delay: .milliseconds(30), loss: 0.01))
        let wallStart = Instant.monotonicNow()
        try net.run(for: .seconds(30))
        let wall = Instant.monotonicNow() - wallStart
        let done = sender.completedAt ?? net.now
        print("30 s transfer (seed \(seed)): finished at \(done), \(net.now) simulated in \(wall.seconds) s wall; "
              + "\(sender.retransmissions) retransmissions; \(net.stats)")
        #expect(sender.isComplete, "seed \(seed)")
        #expect(receiver.hasAll(total) && receiver.corrupt == 0)
        #expect(net.now == Instant(nanoseconds: 30_000_000_000))
        #expect(done > Instant(nanoseconds: 20_000_000_000), "the cap, not the simulator, bounds the transfer")
        #expect(net.stats.lost > 0)
        // Every datagram is accounted for: delivered, dropped or still on a link.
        #expect(net.stats.sent == net.stats.delivered - net.stats.duplicated + net.stats.dropped + UInt64(net.inFlight))
    }

    /// The same toy transfer works from behind each NAT type to a public host, since replies
    /// go back to the address the NAT mapped.
    @Test(arguments: NATType.allCases) func transferFromBehindANAT(type: NATType) throws {
        let net = SimNetwork(seed: 31)
        let nat = net.addNAT(publicAddress: Addr.natA, type: type)
        let sender = ToySender(local: Addr.at(Addr.inside1, 5000), remote: Addr.at(Addr.b, 6000), totalPackets: 300)
        let receiver = ToyReceiver()
        net.addHost(sender, addresses: [Addr.inside1], uplink: LinkConditions(delay: .milliseconds(10), loss: 0.05), behind: nat)
        net.addHost(receiver, addresses: [Addr.b], uplink: LinkConditions(delay: .milliseconds(10)))
        try net.run(maxTime: .seconds(30)) { sender.isComplete }
        #expect(receiver.hasAll(300))
        #expect(nat.mappings(at: net.now).count == 1)
    }
}
