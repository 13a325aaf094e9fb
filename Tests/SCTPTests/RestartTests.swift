import NetSim
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Association restart and the COOKIE ECHO collision table (RFC 9260 §5.2), over NetSim on
/// virtual time (seeded; the seed is in every failure message) and packet by packet.
@Suite struct RestartTests {
    static let addrA = TransportAddress(ip: IPAddress.v4(0x0A00_0001), port: 5000)
    static let addrB = TransportAddress(ip: IPAddress.v4(0x0A00_0002), port: 5000)

    static func config(seed: UInt64) -> SCTPConfiguration {
        var c = SCTPConfiguration()
        c.randomSeed = seed
        return c
    }

    /// Two hosts on a NetSim network with `link` both ways.
    static func network(seed: UInt64, link: NetSim.LinkConditions, configA: SCTPConfiguration, configB: SCTPConfiguration)
        -> (SimNetwork, SCTPHost, SCTPHost) {
        let net = SimNetwork(seed: seed)
        let a = SCTPHost(SCTPAssociation(configuration: configA), local: addrA, remote: addrB)
        let b = SCTPHost(SCTPAssociation(configuration: configB), local: addrB, remote: addrA)
        _ = net.addHost(a, addresses: [addrA.ip], uplink: link, downlink: link)
        _ = net.addHost(b, addresses: [addrB.ip], uplink: link, downlink: link)
        return (net, a, b)
    }

    static func count(_ events: [SCTPEvent], _ event: SCTPEvent) -> Int { events.filter { $0 == event }.count }
    static func aborted(_ events: [SCTPEvent]) -> Bool {
        events.contains { if case .aborted = $0 { return true } else { return false } }
    }

    @Test("a peer that restarts mid-transfer forms a new association; streams and TSNs start over",
          arguments: [UInt64(1), 2, 3, 4])
    func peerRestartsMidTransfer(seed: UInt64) throws {
        let link = NetSim.LinkConditions(delay: .milliseconds(15), jitter: .milliseconds(2), loss: 0.02)
        let (net, a, b) = Self.network(seed: seed, link: link, configA: Self.config(seed: seed), configB: Self.config(seed: seed + 100))
        try a.core.connect(now: net.now)
        try net.run(maxTime: .seconds(20)) { a.core.isEstablished && b.core.isEstablished }
        // a streams messages to b on two streams; b answers on one.
        var sent = 0
        func fill() throws {
            while sent < 400, a.core.bufferedAmount(stream: 0) < 64 * 1024 {
                try a.core.send(stream: UInt16(sent % 2), ppid: 53, message: TransferScenario.payload(index: sent, size: 3000), now: net.now)
                sent += 1
            }
        }
        try fill()
        try b.core.send(stream: 5, ppid: 51, message: Array("before".utf8), now: net.now)
        try net.run(maxTime: .seconds(30)) { try? fill(); return b.received.count >= 60 }
        #expect(a.core.bytesInFlight > 0 || a.core.totalBufferedAmount > 0, "seed \(seed): restart must hit a transfer in progress")

        // b loses all state (process restart) and connects again with new tags.
        b.core = SCTPAssociation(configuration: Self.config(seed: seed + 200))
        b.received = []; b.events = []
        try b.core.connect(now: net.now)
        try net.run(maxTime: .seconds(30)) { b.core.isEstablished && a.events.contains(.restarted) }
        #expect(Self.count(a.events, .restarted) == 1, "seed \(seed): \(a.events)")
        #expect(!Self.aborted(a.events) && !Self.aborted(b.events), "seed \(seed)")
        #expect(a.core.statistics.restarts == 1, "seed \(seed)")
        #expect(a.core.isEstablished, "seed \(seed)")
        // Queued and in-flight data of the old association is gone.
        #expect(a.core.totalBufferedAmount == 0 && a.core.bytesInFlight == 0, "seed \(seed)")

        // Both directions work on the new association, stream sequence numbers from 0.
        let fresh = 50
        for i in 0..<fresh {
            try a.core.send(stream: UInt16(i % 2), ppid: 53, message: TransferScenario.payload(index: i, size: 4 + (i * 911) % 6000), now: net.now)
        }
        try b.core.send(stream: 5, ppid: 51, message: Array("after".utf8), now: net.now)
        try net.run(maxTime: .seconds(60)) {
            b.received.count == fresh && a.received.contains { $0.payload == Array("after".utf8) }
        }
        // Each stream in order from its first message (SSN 0 again); streams may interleave.
        var next = [0, 1]
        for m in b.received {
            let stream = Int(m.streamID)
            #expect(TransferScenario.check(m.payload, expectedIndex: nil) == next[stream], "seed \(seed): stream \(stream) after the restart")
            next[stream] += 2
        }
        #expect(next == [fresh, fresh + 1], "seed \(seed)")
        #expect(Self.count(b.events, .connected) == 1, "seed \(seed): \(b.events)")
    }

    @Test("both sides INIT at once (any offset, lossy link): one association, data both ways",
          arguments: [UInt64(11), 12, 13, 14, 15, 16])
    func simultaneousInit(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let delay = Int64(5 + rng.next() % 60)
        let link = NetSim.LinkConditions(delay: .milliseconds(delay), loss: 0.15)
        let (net, a, b) = Self.network(seed: seed, link: link, configA: Self.config(seed: seed), configB: Self.config(seed: seed + 1))
        try a.core.connect(now: net.now)
        // b's INIT leaves anywhere between "at once" and just after a's INIT reached it.
        try net.run(for: .milliseconds(Int64(rng.next() % UInt64(delay + 5))))
        if b.core.state == .closed { try b.core.connect(now: net.now) }
        try net.run(maxTime: .seconds(60)) { a.core.isEstablished && b.core.isEstablished }
        try a.core.send(stream: 0, ppid: 53, message: [1, 2, 3], now: net.now)
        try b.core.send(stream: 1, ppid: 53, message: [4, 5, 6], now: net.now)
        try net.run(maxTime: .seconds(60)) { a.received.count == 1 && b.received.count == 1 }
        #expect(a.received.first?.payload == [4, 5, 6] && b.received.first?.payload == [1, 2, 3], "seed \(seed)")
        #expect(Self.count(a.events, .connected) == 1 && Self.count(b.events, .connected) == 1, "seed \(seed): \(a.events) \(b.events)")
        #expect(!Self.aborted(a.events) && !Self.aborted(b.events), "seed \(seed)")
        #expect(a.core.statistics.restarts == 0 && b.core.statistics.restarts == 0, "seed \(seed)")
    }

    @Test("a cookie gone stale on a slow path: ERROR, then a Cookie Preservative gets it through",
          arguments: [UInt64(21), 22])
    func staleCookieOnSlowPath(seed: UInt64) throws {
        var cb = Self.config(seed: seed + 1)
        cb.cookieLifetime = .milliseconds(500)
        // 400 ms one way: every cookie is 800 ms old when it comes back.
        let link = NetSim.LinkConditions(delay: .milliseconds(400))
        let (net, a, b) = Self.network(seed: seed, link: link, configA: Self.config(seed: seed), configB: cb)
        try a.core.connect(now: net.now)
        try net.run(maxTime: .seconds(30)) { a.core.isEstablished && b.core.isEstablished }
        // (Retransmitted COOKIE ECHOs, the RTO being below this RTT, may be stale too.)
        #expect(b.core.statistics.staleCookies >= 1, "seed \(seed)")
        try a.core.send(stream: 0, ppid: 53, message: [7], now: net.now)
        try net.run(maxTime: .seconds(10)) { b.received.count == 1 }
    }

    @Test("without Cookie Preservative grants the stale-cookie handshake gives up with an abort")
    func staleCookieRefused() throws {
        var cb = Self.config(seed: 32)
        cb.cookieLifetime = .milliseconds(500)
        cb.maxCookieLifetimeExtension = .zero
        let link = NetSim.LinkConditions(delay: .milliseconds(400))
        let (net, a, b) = Self.network(seed: 31, link: link, configA: Self.config(seed: 31), configB: cb)
        try a.core.connect(now: net.now)
        try net.run(maxTime: .seconds(120)) { Self.aborted(a.events) }
        #expect(a.events.contains(.aborted(reason: "handshake failed: stale cookie")), "\(a.events)")
        #expect(b.core.statistics.staleCookies > SCTPConfiguration().maxInitRetransmissions)
        #expect(a.core.state == .closed && !b.core.isEstablished)
    }
}
