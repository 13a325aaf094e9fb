import ICE
import NetSim
import STUN
import Testing
import WireKit

/// The TURN client inside the agent against the test TURN server: relay-only policy,
/// long-term credential challenge, stale nonce, wrong credentials, refreshes, channels.
@Suite struct TURNClientTests {
    @Test func relayPolicyConnectsThroughTURN() throws {
        let w = NATTraversalTests.world(seed: 61, natA: .fullCone, natB: .fullCone, policy: .relay)
        try w.net.run(maxTime: .seconds(20)) { w.a.isConnected && w.b.isConnected }
        #expect(w.a.gathered.allSatisfy { $0.type == .relayed } && !w.a.gathered.isEmpty)
        #expect(w.b.gathered.allSatisfy { $0.type == .relayed })
        #expect(w.a.agent.selectedPair?.local.type == .relayed && w.a.agent.selectedPair?.remote.type == .relayed)
        // After selection a channel is bound, so data goes as ChannelData.
        try w.net.run(for: .seconds(1))
        for i in 0..<10 { try w.a.agent.send(data: [0x80, UInt8(i)], now: w.net.now) }
        try w.net.run(for: .seconds(1))
        #expect(w.b.received.count == 10)
        #expect((w.turn.counts["channelBind"] ?? 0) >= 1 && (w.turn.counts["channelData"] ?? 0) >= 10, "\(w.turn.counts)")
        #expect((w.turn.counts["error401"] ?? 0) >= 2, "each allocation is challenged first")
    }

    @Test func wrongPasswordReportsAClearError() throws {
        let w = NATTraversalTests.world(seed: 62, natA: .fullCone, natB: .fullCone, policy: .relay, password: "wrong")
        try w.net.run(maxTime: .seconds(10)) { !w.a.errors.isEmpty && w.a.gatheringComplete }
        guard case .turnAllocationFailed(_, let code, _)? = w.a.errors.first else {
            Issue.record("expected a TURN allocation error, got \(w.a.errors)")
            return
        }
        #expect(code == 401)
        #expect(w.a.errors.first?.description.contains("401") == true)
        #expect(w.a.gathered.isEmpty)
    }

    @Test func staleNonceAndRefreshesKeepTheRelayAlive() throws {
        let w = NATTraversalTests.world(seed: 63, natA: .symmetric, natB: .symmetric)
        try w.net.run(maxTime: .seconds(20)) { w.a.isConnected && w.b.isConnected }
        #expect(w.a.agent.selectedPair?.local.type == .relayed || w.a.agent.selectedPair?.remote.type == .relayed)
        w.turn.rotateNonce()
        // Ten minutes: allocation refresh (lifetime 600 s), permission and channel refreshes,
        // each first answered with 438 after the nonce rotation.
        try w.net.run(for: .seconds(660))
        #expect((w.turn.counts["error438"] ?? 0) >= 1, "\(w.turn.counts)")
        #expect((w.turn.counts["refresh"] ?? 0) >= 2, "\(w.turn.counts)")
        #expect(w.a.isConnected && w.b.isConnected)
        try w.a.agent.send(data: [0x80, 7], now: w.net.now)
        try w.net.run(for: .seconds(1))
        #expect(w.b.received.last == [0x80, 7])
    }
}
