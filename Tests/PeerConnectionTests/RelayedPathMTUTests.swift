import DataChannel
import ICE
import NetSim
import PeerConnection
import Testing
import WireKit

/// PLPMTUD only on direct pairs: a TURN-relayed selected pair keeps SCTP at the base packet
/// size (1160 bytes for the default 1200-byte DTLS MTU) and is never probed, also when the
/// selection moves there from a direct pair whose size had been raised.
@Suite struct RelayedPathMTUTests {
    static let base = 1160
    static let link = LinkConditions(delay: .milliseconds(10), mtu: 1500)

    /// The candidate types of the last selected pair A reported.
    static func selectedTypes(_ e: PCEndpoint) -> (local: CandidateType, remote: CandidateType)? {
        for event in e.events.reversed() {
            if case .selectedCandidatePairChange(let local, let remote) = event { return (local.type, remote.type) }
        }
        return nil
    }

    static func sctpStats(_ e: PCEndpoint) throws -> (pathMTU: Int, probes: Int) {
        let sctp = try #require(e.pc.getStats()["S01"])
        return (sctp.int("pathMTU") ?? 0, sctp.int("pathMTUProbesSent") ?? 0)
    }

    @Test("a relayed selected pair: no probe is sent, the packet size stays the base one")
    func relayedKeepsBase() throws {
        let p = PCPair(seed: 91, link: Self.link, turnPolicy: .relay)
        let (pathMTU, probes) = try PathMTUTests.transfer(p)
        let types = try #require(Self.selectedTypes(p.a))
        #expect(types.local == .relayed)
        #expect(pathMTU == Self.base)
        #expect(probes == 0)
        #expect(try Self.sctpStats(p.b) == (Self.base, 0))
    }

    @Test("the selection moves from a raised direct pair to a relayed one: back to the base size, no more probes",
          arguments: [UInt64(92), 93])
    func directToRelayedFallsBack(seed: UInt64) throws {
        let p = PCPair(seed: seed, link: Self.link, turnPolicy: .all)
        let dc = try p.openChannel("bulk")
        try p.net.run(for: .seconds(15))
        let direct = try #require(Self.selectedTypes(p.a))
        #expect(direct.local == .host && direct.remote == .host, "seed \(seed)")
        #expect(try Self.sctpStats(p.a).pathMTU == 1412, "seed \(seed)")
        // The direct path goes away (both hosts keep their route to the TURN server).
        let hosts: Set<IPAddress> = [IPAddress("198.51.100.1")!, IPAddress("198.51.100.2")!]
        p.net.drop { hosts.contains($0.source.ip) && hosts.contains($0.destination.ip) }
        try p.run(maxTime: .seconds(60)) {
            Self.selectedTypes(p.a)?.local == .relayed || Self.selectedTypes(p.a)?.remote == .relayed
        }
        let (pathMTU, probes) = try Self.sctpStats(p.a)
        #expect(pathMTU == Self.base, "seed \(seed)")
        try p.net.run(for: .seconds(15))
        try p.sendAndCheck(count: 24, size: 40_960, on: dc)
        #expect(try Self.sctpStats(p.a) == (Self.base, probes), "seed \(seed)")
    }
}
