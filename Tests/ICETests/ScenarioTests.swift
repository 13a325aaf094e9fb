import ICE
import NetSim
import STUN
import Testing
import WireKit

/// Loss, role conflicts, ICE restart, consent expiry and NAT rebinding over NetSim.
@Suite struct ScenarioTests {
    /// Two public hosts, A controlling (unless `roleA`), B controlled (unless `roleB`).
    static func publicPair(seed: UInt64, roleA: ICERole = .controlling, roleB: ICERole = .controlled,
                           link: LinkConditions = LinkConditions(delay: .milliseconds(25))) -> (SimNetwork, AgentEndpoint, AgentEndpoint, HostID, HostID) {
        let net = SimNetwork(seed: seed)
        let a = AgentEndpoint("A", ICEScenario.configuration(roleA, seed: seed &+ 1))
        let b = AgentEndpoint("B", ICEScenario.configuration(roleB, seed: seed &+ 2))
        let ha = net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: link, downlink: link)
        let hb = net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: link)
        a.agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        b.agent.addLocalInterface(TransportAddress("198.51.100.2:6000")!)
        AgentEndpoint.link(a, b)
        ICEScenario.start(a, b)
        return (net, a, b, ha, hb)
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func connectsAtTwentyPercentLoss(seed: UInt64) throws {
        let w = NATTraversalTests.world(seed: seed, natA: .portRestrictedCone, natB: .restrictedCone, loss: 0.2)
        try w.net.run(maxTime: .seconds(30)) { w.a.isConnected && w.b.isConnected }
        #expect(w.a.agent.selectedPair != nil, "seed \(seed)")
        for i in 0..<50 { try w.a.agent.send(data: [0x80, UInt8(i)], now: w.net.now) }
        try w.net.run(for: .seconds(1))
        // 20% loss on each of four links on the way: about 41% arrive.
        #expect(w.b.received.count > 5, "seed \(seed): \(w.b.received.count) of 50 arrived; A \(String(describing: w.a.agent.selectedPair)) B \(String(describing: w.b.agent.selectedPair)) A=\(w.a.state) B=\(w.b.state) turn \(w.turn.counts) A pairs \(w.a.agent.pairs)")
    }

    @Test(arguments: [ICERole.controlling, .controlled])
    func roleConflictIsRepaired(role: ICERole) throws {
        let seed: UInt64 = role == .controlling ? 21 : 22
        let (net, a, b, _, _) = Self.publicPair(seed: seed, roleA: role, roleB: role)
        try net.run(maxTime: .seconds(30)) { a.isConnected && b.isConnected }
        #expect(a.agent.role != b.agent.role, "seed \(seed)")
        #expect(a.agent.counters.roleConflicts + b.agent.counters.roleConflicts > 0)
        #expect(a.agent.selectedPair?.remote.address == TransportAddress("198.51.100.2:6000"))
    }

    @Test func restartKeepsDataFlowing() throws {
        let seed: UInt64 = 31
        let w = NATTraversalTests.world(seed: seed, natA: .fullCone, natB: .portRestrictedCone)
        try w.net.run(maxTime: .seconds(30)) { w.a.isConnected && w.b.isConnected }
        let firstPair = w.a.agent.selectedPair
        let oldUfrag = w.a.agent.localCredentials.ufrag
        var sent = 0
        for i in 0..<150 {
            try w.a.agent.send(data: [0x80, UInt8(i & 0xFF)], now: w.net.now)
            sent += 1
            if i == 30 {
                w.a.agent.restart()
                w.b.agent.restart()
                w.a.agent.setRemoteCredentials(w.b.agent.localCredentials)
                w.b.agent.setRemoteCredentials(w.a.agent.localCredentials)
            }
            try w.net.run(for: .milliseconds(20))
        }
        try w.net.run(for: .seconds(1))
        #expect(w.a.agent.localCredentials.ufrag != oldUfrag)
        #expect(w.a.selections.count == 2 && w.b.selections.count == 2, "seed \(seed): \(w.a.selections.count) selections")
        #expect(w.b.received.map { Int($0[1]) } == (0..<sent).map { $0 & 0xFF }, "seed \(seed): a datagram was lost across the restart")
        #expect(w.a.isConnected && w.b.isConnected)
        #expect(firstPair != nil)
    }

    /// Every signalled pair has failed, but the peer's first check arrives a little later (a busy
    /// browser): the agent waits `failureGrace` before `failed`, so the peer-reflexive pair that
    /// check makes still connects. Before, the agent failed the moment its last pair did.
    @Test func aLatePeerCheckRescuesAnAgentWhosePairsFailed() throws {
        let net = SimNetwork(seed: 77)
        let link = LinkConditions(delay: .milliseconds(10))
        let a = AgentEndpoint("A", ICEScenario.configuration(.controlled, seed: 78))
        let b = AgentEndpoint("B", ICEScenario.configuration(.controlling, seed: 79))
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: link, downlink: link)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: link)
        a.trickle = false
        b.trickle = false
        a.agent.setRemoteCredentials(b.agent.localCredentials)
        b.agent.setRemoteCredentials(a.agent.localCredentials)
        a.agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        ICEScenario.start(a)
        // A learns only a candidate of B's that no host answers on, and B's end-of-candidates.
        a.agent.addRemoteCandidate(Candidate(foundation: "1", priority: 2_113_937_151,
                                             address: TransportAddress("198.51.100.3:6001")!, type: .host))
        a.agent.setRemoteGatheringComplete()
        try net.run(maxTime: .seconds(20)) { a.agent.pairs.allSatisfy { $0.state == .failed } }
        #expect(a.state == .checking, "failed the moment its pairs did")
        // B starts late and checks A's real candidate from its own, unsignalled address.
        b.agent.addLocalInterface(TransportAddress("198.51.100.2:6000")!)
        ICEScenario.start(b)
        b.agent.addRemoteCandidate(try #require(a.gathered.first))
        b.agent.setRemoteGatheringComplete()
        try net.run(maxTime: .seconds(4)) { a.isConnected && b.isConnected }
        #expect(a.firstTime(.failed) == nil)
        #expect(a.agent.remoteCandidates.contains { $0.type == .peerReflexive })
    }

    /// With no peer check at all, the agent still fails, `failureGrace` after its last pair.
    @Test func anAgentWhosePairsFailedFailsAfterTheGrace() throws {
        let net = SimNetwork(seed: 81)
        let a = AgentEndpoint("A", ICEScenario.configuration(.controlled, seed: 82))
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!])
        a.agent.setRemoteCredentials(ICECredentials(ufrag: "peer", password: "peerpasswordpeerpassword"))
        a.agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        ICEScenario.start(a)
        a.agent.addRemoteCandidate(Candidate(foundation: "1", priority: 100, address: TransportAddress("198.51.100.9:9")!, type: .host))
        a.agent.setRemoteGatheringComplete()
        try net.run(maxTime: .seconds(20)) { a.agent.pairs.allSatisfy { $0.state == .failed } }
        let allFailed = net.now
        try net.run(maxTime: .seconds(10)) { a.state == .failed }
        let failed = try #require(a.firstTime(.failed))
        #expect(failed - allFailed >= .seconds(4.9) && failed - allFailed <= .seconds(5.1), "failed \(failed - allFailed) after its last pair")
    }

    @Test func consentLossDisconnectsThenFails() throws {
        let (net, a, b, _, hb) = Self.publicPair(seed: 41)
        try net.run(maxTime: .seconds(30)) { a.isConnected && b.isConnected }
        try net.run(for: .seconds(12))  // consent running
        let cut = net.now
        net.blackhole(hb, for: .seconds(120))
        try net.run(maxTime: .seconds(60)) { a.state == .failed }
        let disconnected = try #require(a.firstTime(.disconnected))
        let failed = try #require(a.firstTime(.failed))
        // RFC 7675: consent lasts 30 s from the last response (sent ≤ 6 s before the cut);
        // disconnected after 10 s without a response.
        #expect(disconnected - cut >= .seconds(4) && disconnected - cut <= .seconds(10.5), "disconnected after \(disconnected - cut)")
        #expect(failed - cut >= .seconds(24) && failed - cut <= .seconds(30.5), "failed after \(failed - cut)")
        #expect(throws: ICEError.noSelectedPair) { try a.agent.send(data: [0x80], now: net.now) }
    }

    /// A behind a NAT whose mapping changes; B public. Either side may be controlling.
    @Test(arguments: [ICERole.controlled, .controlling])
    func natRebindingIsRecovered(roleOfRebindingSide: ICERole) throws {
        let seed: UInt64 = roleOfRebindingSide == .controlled ? 51 : 52
        let net = SimNetwork(seed: seed)
        let link = LinkConditions(delay: .milliseconds(20))
        let a = AgentEndpoint("A", ICEScenario.configuration(roleOfRebindingSide, seed: 1))
        let b = AgentEndpoint("B", ICEScenario.configuration(roleOfRebindingSide.opposite, seed: 2))
        let nat = net.addNAT(publicAddress: IPAddress("192.0.2.1")!, type: .portRestrictedCone)
        let ha = net.addHost(a, addresses: [IPAddress("10.0.0.2")!], uplink: link, downlink: link, behind: nat)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: link)
        a.agent.addLocalInterface(TransportAddress("10.0.0.2:40000")!)
        b.agent.addLocalInterface(TransportAddress("198.51.100.2:6000")!)
        AgentEndpoint.link(a, b)
        ICEScenario.start(a, b)
        try net.run(maxTime: .seconds(30)) { a.isConnected && b.isConnected }
        let before = try #require(b.agent.selectedPair?.remote.address)
        // Mappings touched from now on live 1 s; after A's next consent check, a 3 s outage
        // lets its mapping expire, and A's next packet gets a new external port.
        nat.mappingTimeout = .seconds(1)
        try net.run(for: .seconds(6.5))
        net.blackhole(ha, for: .seconds(3))
        try net.run(for: .seconds(2.5))
        nat.mappingTimeout = .seconds(120)
        let current = { nat.mappings(at: net.now).last?.external }
        try net.run(maxTime: .seconds(40)) {
            b.agent.selectedPair?.remote.address == current() && current() != before && b.isConnected && a.isConnected
        }
        let after = try #require(b.agent.selectedPair?.remote.address)
        #expect(after.ip == before.ip && after.port != before.port)
        try b.agent.send(data: [0x80, 9], now: net.now)
        try a.agent.send(data: [0x80, 8], now: net.now)
        try net.run(for: .seconds(1))
        #expect(a.received.last == [0x80, 9] && b.received.last == [0x80, 8], "seed \(seed): A got \(a.received), B got \(b.received), A \(a.state) B \(b.state) \(String(describing: b.agent.selectedPair))")
    }

    @Test func closeStopsEverything() throws {
        let (net, a, b, _, _) = Self.publicPair(seed: 61)
        try net.run(maxTime: .seconds(10)) { a.isConnected && b.isConnected }
        a.agent.close()
        a.pump()
        #expect(a.states.last?.1 == .closed)
        #expect(a.agent.pollTimeout() == nil && a.agent.pollTransmit() == nil)
        #expect(throws: ICEError.closed) { try a.agent.send(data: [0x80], now: net.now) }
        let sentBefore = net.stats(for: net.hostIDs[0]).sent
        try net.run(for: .seconds(5))
        #expect(net.stats(for: net.hostIDs[0]).sent == sentBefore)
    }
}
