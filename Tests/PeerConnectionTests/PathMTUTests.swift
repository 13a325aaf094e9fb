import DataChannel
import NetSim
import PeerConnection
import Testing
import WireKit

/// PLPMTUD through the whole stack (SCTP probes in DTLS records over NetSim UDP/IPv4): the
/// packet size the `sctp-transport` stats report, and a transfer at that size.
@Suite struct PathMTUTests {
    /// Opens a channel, lets the search finish, sends 24 messages of 40 KiB from A and checks them.
    static func transfer(_ p: PCPair, rewrite: (String) -> String = { $0 }) throws -> (pathMTU: Int, probes: Int) {
        let dc = try p.openChannel("bulk", rewrite: rewrite)
        try p.net.run(for: .seconds(15))
        try p.sendAndCheck(count: 24, size: 40_960, on: dc)
        let sctp = try #require(p.a.pc.getStats()["S01"])
        return (sctp.int("pathMTU") ?? 0, sctp.int("pathMTUProbesSent") ?? 0)
    }

    @Test("the SCTP packet size rises to what the link carries after UDP, IPv4 and DTLS",
          arguments: [(1500, 1412), (9000, 8912), (65_535, 16_384)])
    func raised(linkMTU: Int, expected: Int) throws {
        let p = PCPair(seed: 81, link: LinkConditions(delay: .milliseconds(10), mtu: linkMTU))
        let (pathMTU, probes) = try Self.transfer(p)
        #expect(pathMTU == expected)
        #expect(probes > 0)
        #expect(pathMTU + 40 + 28 <= linkMTU)
    }

    @Test("50 ms RTT with 1 % loss each way on a 1500-byte link: 1412 bytes, no black hole from random loss",
          arguments: [UInt64(86), 87, 88])
    func randomLossIsNoBlackHole(seed: UInt64) throws {
        let p = PCPair(seed: seed, link: LinkConditions(delay: .milliseconds(25), loss: 0.01, mtu: 1500))
        let dc = try p.openChannel("bulk")
        try p.net.run(for: .seconds(15))
        try p.sendAndCheck(count: 64, size: 65_536, on: dc)
        let sctp = try #require(p.a.pc.getStats()["S01"])
        #expect(sctp.int("pathMTU") == 1412, "seed \(seed)")
        #expect(sctp.int("pathMTUBlackHoles") == 0, "seed \(seed): \(sctp.json)")
        #expect((sctp.int("retransmissions") ?? 0) > 0, "seed \(seed): the loss reached the data")
    }

    @Test("with PLPMTUD off the packet size stays at the DTLS MTU's and nothing is probed")
    func off() throws {
        let p = PCPair(seed: 82, link: LinkConditions(delay: .milliseconds(10), mtu: 65_535), pathMTUDiscovery: false)
        let (pathMTU, probes) = try Self.transfer(p)
        #expect(pathMTU == 1160)
        #expect(probes == 0)
    }

    @Test("a peer that announces no record size limit (Chromium) gets no probe over 2048 bytes")
    func unannouncedLimit() throws {
        let p = PCPair(seed: 83, link: LinkConditions(delay: .milliseconds(10), mtu: 65_535))
        let (pathMTU, _) = try Self.transfer(p) { sdp in
            #expect(sdp.contains("a=x-record-size-limit:16384\r\n"))
            return sdp.replacing("a=x-record-size-limit:16384\r\n", with: "")
        }
        #expect(pathMTU == 1412)
    }

    @Test("the link narrows to 1500 bytes mid-transfer: DTLS-carried SCTP falls back, every message arrives",
          arguments: [UInt64(84), 85])
    func blackHole(seed: UInt64) throws {
        let p = PCPair(seed: seed, link: LinkConditions(delay: .milliseconds(10), mtu: 65_535))
        let dc = try p.openChannel("bulk")
        try p.net.run(for: .seconds(2))
        #expect(p.a.pc.getStats()["S01"]?.int("pathMTU") == 16_384)
        var rng = SeededRandom(seed: seed)
        let sent = (0..<48).map { _ in rng.bytes(65_536) }
        for m in sent { try p.a.pc.send(m, on: dc) }
        let remote = try #require(p.b.remoteChannels.first)
        try p.run(maxTime: .seconds(30)) { p.b.messages(remote).count >= 8 }
        for h in p.net.hostIDs {
            p.net.setUplink(h, LinkConditions(delay: .milliseconds(10), mtu: 1500))
            p.net.setDownlink(h, LinkConditions(mtu: 1500))
        }
        try p.run(maxTime: .seconds(120)) { p.b.messages(remote).count == sent.count }
        #expect(p.b.messages(remote).map(\.data) == sent, "seed \(seed)")
        let sctp = try #require(p.a.pc.getStats()["S01"])
        #expect((sctp.int("pathMTUBlackHoles") ?? 0) >= 1, "seed \(seed)")
        #expect((sctp.int("pathMTU") ?? .max) + 40 + 28 <= 1500, "seed \(seed)")
    }
}
