import ICE
import ICETestSupport
import NetSim
import STUN
import Testing
import WireKit

/// Regressions from the netlab (contrib/netlab, nat-port-restricted-symmetric and
/// nat-symmetric-symmetric with coturn and policy `all`): the agents sent relayed checks to the
/// peer's private host candidate; the TURN server had no route there, its `sendto` failed, and
/// coturn closed the allocation's relay socket, so every relayed pair — relay ↔ relay included —
/// then timed out and the agents never connected. ``TestTURNServer`` now behaves like coturn.
@Suite struct RelayPathRegressionTests {
    static let cases: [(NATType, NATType)] = [(.symmetric, .symmetric), (.portRestrictedCone, .symmetric), (.symmetric, .portRestrictedCone)]

    @Test(arguments: cases)
    func relayedPairSurvivesUnroutableHostCandidates(natA: NATType, natB: NATType) throws {
        let seed: UInt64 = 0x5E1 &+ UInt64(NATType.allCases.firstIndex(of: natA) ?? 0) * 4 &+ UInt64(NATType.allCases.firstIndex(of: natB) ?? 0)
        let w = NATTraversalTests.world(seed: seed, natA: natA, natB: natB)
        do {
            try w.net.run(maxTime: .seconds(20)) { w.a.isConnected && w.b.isConnected }
        } catch {
            Issue.record("\(natA)↔\(natB) seed \(seed): \(error) A=\(w.a.state) B=\(w.b.state) TURN \(w.turn.counts)")
            return
        }
        // No relayed datagram went where the server cannot route, and none went before the
        // allocation's permission for the peer was installed.
        #expect(w.turn.counts["relaySendError"] == nil, "seed \(seed): \(w.turn.counts)")
        #expect(w.turn.counts["sendWithoutPermission"] == nil, "seed \(seed): \(w.turn.counts)")
        // The peer's private host candidate is never paired with a relayed local candidate.
        for agent in [w.a.agent, w.b.agent] {
            #expect(!agent.pairs.contains { $0.local.type == .relayed && $0.remote.address.ip == IPAddress("10.0.0.2")! })
        }
        let selected = try #require(w.a.agent.selectedPair)
        #expect(selected.local.type == .relayed || selected.remote.type == .relayed, "seed \(seed): \(selected)")
        try w.a.agent.send(data: [0x80, 1], now: w.net.now)
        try w.b.agent.send(data: [0x80, 2], now: w.net.now)
        try w.net.run(maxTime: .seconds(2)) { !w.a.received.isEmpty && !w.b.received.isEmpty }
        #expect(w.a.received == [[0x80, 2]] && w.b.received == [[0x80, 1]])
    }

    /// A permission the server refuses fails the relayed pairs that need it at once, instead of
    /// leaving them to time out.
    @Test func refusedPermissionFailsItsRelayedPairs() throws {
        let seed: UInt64 = 0x5F0
        let net = SimNetwork(seed: seed)
        let turnAddress = TransportAddress("203.0.113.2:3478")!
        // A server that refuses permissions for 198.51.100.0/24 (coturn's --denied-peer-ip).
        let turn = TestTURNServer(listen: turnAddress, relayIP: IPAddress("203.0.113.3")!, users: ["test": "secret"],
                                  deniedPeer: { ip in if case .v4(let a) = ip { return a >> 8 == 0xC63364 } else { return false } })
        net.addHost(turn, addresses: [turnAddress.ip, IPAddress("203.0.113.3")!])
        let server = TURNServer(address: turnAddress, username: "test", password: "secret")
        let a = AgentEndpoint("A", ICEScenario.configuration(.controlling, seed: seed &+ 1, turn: [server], policy: .relay))
        net.addHost(a, addresses: [IPAddress("192.0.2.10")!])
        a.agent.addLocalInterface(TransportAddress("192.0.2.10:4000")!)
        a.agent.setRemoteCredentials(ICECredentials(ufrag: "peer", password: "peerpasswordpeerpassword"))
        ICEScenario.start(a)
        try net.run(maxTime: .seconds(5)) { a.gatheringComplete }
        a.agent.addRemoteCandidate(Candidate(foundation: "1", priority: 100, address: TransportAddress("198.51.100.7:9")!, type: .serverReflexive))
        a.agent.setRemoteGatheringComplete()
        try net.run(maxTime: .seconds(3) + ICEScenario.configuration(.controlling, seed: 0).failureGrace) { a.state == .failed }
        #expect(a.agent.pairs.allSatisfy { $0.state == .failed }, "\(a.agent.pairs)")
        #expect(turn.counts["error403"] == 1 && turn.counts["sendWithoutPermission"] == nil, "\(turn.counts)")
    }
}
