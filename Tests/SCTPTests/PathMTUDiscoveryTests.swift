import NetSim
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// PLPMTUD (RFC 8899 §6.2) over NetSim links whose `mtu` drops oversize datagrams: SCTP
/// packets ride directly in UDP over IPv4 (28 bytes of headers), with a virtual clock.
@Suite struct PathMTUDiscoveryTests {
    /// The probe sizes a connection over DTLS and IPv6 would use, for 1500, 9000 and 65535-byte links.
    static let probeSizes = [1412, 8912, 16_384]

    final class Pair {
        let net: SimNetwork
        let a: SCTPHost, b: SCTPHost
        let hostA: HostID, hostB: HostID

        init(seed: UInt64, link: LinkConditions, probesOnB: Bool = true) throws {
            net = SimNetwork(seed: seed)
            let addrA = TransportAddress(ip: IPAddress.v4(0x0A00_0001), port: 5000)
            let addrB = TransportAddress(ip: IPAddress.v4(0x0A00_0002), port: 5000)
            var ca = SCTPConfiguration(); ca.randomSeed = seed; ca.pathMTUProbeSizes = PathMTUDiscoveryTests.probeSizes
            var cb = SCTPConfiguration(); cb.randomSeed = seed + 100
            if probesOnB { cb.pathMTUProbeSizes = PathMTUDiscoveryTests.probeSizes }
            a = SCTPHost(SCTPAssociation(configuration: ca), local: addrA, remote: addrB)
            b = SCTPHost(SCTPAssociation(configuration: cb), local: addrB, remote: addrA)
            hostA = net.addHost(a, addresses: [addrA.ip], uplink: link, downlink: link)
            hostB = net.addHost(b, addresses: [addrB.ip], uplink: link, downlink: link)
            try a.core.connect(now: net.now)
            try net.run(maxTime: .seconds(10)) { self.a.core.isEstablished && self.b.core.isEstablished }
        }

        func setMTU(_ mtu: Int) {
            for h in [hostA, hostB] {
                var up = net.uplink(h); up.mtu = mtu; net.setUplink(h, up)
                var down = net.downlink(h); down.mtu = mtu; net.setDownlink(h, down)
            }
        }

        /// Sends `count` messages of 1...64 KiB from A to B; calls `midway` once half have
        /// arrived; checks every message and a digest of all bytes, both sides.
        func transfer(count: Int, seed: UInt64, midway: () -> Void = {}) throws {
            var sent = 0, sentDigest = Digest(), calledMidway = false
            func fill() throws {
                while sent < count, a.core.bufferedAmount(stream: 0) < 512 * 1024 {
                    let m = TransferScenario.payload(index: sent, size: 1 + (sent * 7919) % 65_536)
                    sentDigest.add(m)
                    try a.core.send(stream: 0, ppid: 53, message: m, now: net.now)
                    sent += 1
                }
            }
            try fill()
            try net.run(maxTime: .seconds(300)) {
                if !calledMidway, b.received.count >= count / 2 { calledMidway = true; midway() }
                try? fill()
                return b.received.count == count
            }
            #expect(b.received.count == count, "seed \(seed)")
            var receivedDigest = Digest()
            for (i, m) in b.received.enumerated() {
                #expect(TransferScenario.check(m.payload, expectedIndex: i) == i, "seed \(seed): message \(i)")
                receivedDigest.add(m.payload)
            }
            #expect(receivedDigest == sentDigest, "seed \(seed)")
        }
    }

    /// FNV-1a over every byte, and the byte count.
    struct Digest: Equatable {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325, count = 0
        mutating func add(_ bytes: [UInt8]) {
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
            count += bytes.count
        }
    }

    @Test("the packet size settles at the largest probe size the link MTU carries",
          arguments: [(1500, 1412), (1400, 1200), (9000, 8912), (65_535, 16_384)])
    func settles(linkMTU: Int, expected: Int) throws {
        let pair = try Pair(seed: 7, link: LinkConditions(delay: .milliseconds(10), mtu: linkMTU))
        try pair.net.run(for: .seconds(20))
        #expect(pair.a.core.pathMTU == expected)
        #expect(pair.a.core.pathMTU + 28 <= linkMTU)
        #expect(!pair.a.core.isSearchingPathMTU)
        // Probing alone put nothing in flight and left the congestion window as it was.
        #expect(pair.a.core.bytesInFlight == 0)
        #expect(pair.a.core.congestionWindow == 10 * 1200)
        try pair.transfer(count: 60, seed: 7)
        #expect(pair.a.core.pathMTU == expected)
        #expect(pair.a.core.statistics.pathMTUBlackHoles == 0)
    }

    @Test("a peer without PLPMTUD of its own answers the probes")
    func peerWithoutDiscovery() throws {
        let pair = try Pair(seed: 3, link: LinkConditions(delay: .milliseconds(5), mtu: 9000), probesOnB: false)
        try pair.net.run(for: .seconds(10))
        #expect(pair.a.core.pathMTU == 8912)
        #expect(pair.b.core.pathMTU == 1200)
        #expect(pair.b.core.statistics.unknownChunks == 0)
    }

    @Test("the link MTU drops mid-transfer: the sender falls back and every byte arrives",
          arguments: [UInt64(1), 2, 3])
    func blackHole(seed: UInt64) throws {
        var link = LinkConditions(delay: .milliseconds(10), jitter: .milliseconds(1), loss: 0.01, mtu: 65_535)
        link.rateBitsPerSecond = 200_000_000
        let pair = try Pair(seed: seed, link: link)
        try pair.net.run(for: .seconds(2))
        #expect(pair.a.core.pathMTU == 16_384, "seed \(seed)")
        try pair.transfer(count: 300, seed: seed) { pair.setMTU(1500) }
        #expect(pair.a.core.statistics.pathMTUBlackHoles >= 1, "seed \(seed)")
        #expect(pair.a.core.pathMTU + 28 <= 1500, "seed \(seed)")
        // The search after the fall back found the 1500-byte size again.
        try pair.net.run(for: .seconds(20))
        #expect(pair.a.core.pathMTU == 1412, "seed \(seed)")
    }

    @Test("lost probes are retried and never lower the packet size", arguments: [UInt64(4), 5, 6])
    func lossDuringProbing(seed: UInt64) throws {
        // 3 % loss on each of the four links a probe and its ACK cross, and the first probe of
        // 16384 bytes is lost as well: MAX_PROBES (3) tries per size get through.
        let pair = try Pair(seed: seed, link: LinkConditions(delay: .milliseconds(10), loss: 0.03, mtu: 65_535), probesOnB: false)
        var dropped = 0
        pair.net.drop { t in
            guard t.payload.count == 16_384, dropped < 1 else { return false }
            dropped += 1
            return true
        }
        var sizes: [Int] = [pair.a.core.pathMTU]
        for _ in 0..<200 {
            try pair.net.run(for: .milliseconds(50))
            if pair.a.core.pathMTU != sizes.last { sizes.append(pair.a.core.pathMTU) }
        }
        #expect(sizes == sizes.sorted(), "seed \(seed): \(sizes)")
        #expect(dropped == 1)
        #expect(pair.a.core.statistics.pathMTUProbesSent > pair.a.core.statistics.pathMTUProbesAcknowledged)
        #expect(pair.a.core.pathMTU == 16_384, "seed \(seed): \(sizes)")
        #expect(pair.a.core.statistics.pathMTUBlackHoles == 0)
        #expect(pair.a.core.bytesInFlight == 0)
    }

    @Test("turning discovery off falls back to the base size and stops probing")
    func disable() throws {
        let pair = try Pair(seed: 9, link: LinkConditions(delay: .milliseconds(5), mtu: 65_535))
        try pair.net.run(for: .seconds(2))
        #expect(pair.a.core.pathMTU == 16_384)
        pair.a.core.setPathMTUDiscovery(enabled: false, now: pair.net.now)
        #expect(pair.a.core.pathMTU == 1200)
        let probes = pair.a.core.statistics.pathMTUProbesSent
        try pair.net.run(for: .seconds(700))
        #expect(pair.a.core.statistics.pathMTUProbesSent == probes)
        #expect(pair.a.core.pathMTU == 1200)
        pair.a.core.setPathMTUDiscovery(enabled: true, now: pair.net.now)
        try pair.net.run(for: .seconds(2))
        #expect(pair.a.core.pathMTU == 16_384)
    }
}
