import ICE
import NetSim
import STUN
import Testing
import WireKit

/// Two agents with public addresses connect over host candidates and exchange datagrams.
@Suite struct HostConnectivityTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func hostToHost(seed: UInt64) throws {
        let net = SimNetwork(seed: seed)
        let a = AgentEndpoint("A", ICEScenario.configuration(.controlling, seed: seed &+ 100))
        let b = AgentEndpoint("B", ICEScenario.configuration(.controlled, seed: seed &+ 200))
        let link = LinkConditions(delay: .milliseconds(25))
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: link, downlink: .perfect)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: .perfect)
        a.agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        b.agent.addLocalInterface(TransportAddress("198.51.100.2:6000")!)
        AgentEndpoint.link(a, b)
        ICEScenario.start(a, b)
        try net.run(maxTime: .seconds(30)) { a.isConnected && b.isConnected }
        #expect(a.agent.selectedPair?.remote.address == TransportAddress("198.51.100.2:6000"), "seed \(seed)")
        #expect(b.agent.selectedPair?.remote.address == TransportAddress("198.51.100.1:5000"), "seed \(seed)")
        try a.agent.send(data: [0x17, 1, 2, 3], now: net.now)
        try b.agent.send(data: [0x17, 4, 5, 6], now: net.now)
        try net.run(maxTime: .seconds(5)) { !a.received.isEmpty && !b.received.isEmpty }
        #expect(b.received == [[0x17, 1, 2, 3]])
        #expect(a.received == [[0x17, 4, 5, 6]])
        try net.run(for: .seconds(2))
        #expect(a.state == .completed && b.state == .completed, "seed \(seed): \(a.state) \(b.state)")
    }
}
