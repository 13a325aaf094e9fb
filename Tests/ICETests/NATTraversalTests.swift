import ICE
import ICETestSupport
import NetSim
import STUN
import Testing
import WireKit

/// Two agents behind every pair of NAT types, with a STUN and a TURN server on the public side.
/// Where RFC 4787 behaviour allows a direct path, the selected pair is not relayed; for
/// symmetric ↔ symmetric (and symmetric ↔ port-restricted) the agents connect through TURN.
@Suite struct NATTraversalTests {
    static let stunAddress = TransportAddress("203.0.113.1:3478")!
    static let turnAddress = TransportAddress("203.0.113.2:3478")!
    static let relayIP = IPAddress("203.0.113.3")!

    struct World {
        let net: SimNetwork
        let a: AgentEndpoint
        let b: AgentEndpoint
        let turn: TestTURNServer
        let natA: NATBox
        let natB: NATBox
        let hostA: HostID
        let hostB: HostID
    }

    /// Builds the topology: A at 10.0.0.2 behind NAT 192.0.2.1, B at 10.0.0.2 behind 192.0.2.2
    /// (the same private address on purpose), one-way delay `oneWay` on each access link.
    static func world(seed: UInt64, natA: NATType, natB: NATType, oneWay: Duration = .milliseconds(12),
                      loss: Double = 0, policy: ICETransportPolicy = .all, password: String = "secret",
                      roleB: ICERole = .controlled, useTURN: Bool = true) -> World {
        let net = SimNetwork(seed: seed)
        let link = LinkConditions(delay: oneWay, loss: loss)
        let stun = TestSTUNServer()
        let turn = TestTURNServer(listen: turnAddress, relayIP: relayIP, users: ["test": "secret"])
        net.addHost(stun, addresses: [stunAddress.ip])
        net.addHost(turn, addresses: [turnAddress.ip, relayIP])
        let servers = useTURN ? [TURNServer(address: turnAddress, username: "test", password: password)] : []
        let a = AgentEndpoint("A", ICEScenario.configuration(.controlling, seed: seed &+ 1, stun: [stunAddress], turn: servers, policy: policy))
        let b = AgentEndpoint("B", ICEScenario.configuration(roleB, seed: seed &+ 2, stun: [stunAddress], turn: servers, policy: policy))
        let na = net.addNAT(publicAddress: IPAddress("192.0.2.1")!, type: natA)
        let nb = net.addNAT(publicAddress: IPAddress("192.0.2.2")!, type: natB)
        let ha = net.addHost(a, addresses: [IPAddress("10.0.0.2")!], uplink: link, downlink: link, behind: na)
        let hb = net.addHost(b, addresses: [IPAddress("10.0.0.2")!], uplink: link, downlink: link, behind: nb)
        a.agent.addLocalInterface(TransportAddress("10.0.0.2:40000")!)
        b.agent.addLocalInterface(TransportAddress("10.0.0.2:40000")!)
        AgentEndpoint.link(a, b)
        ICEScenario.start(a, b)
        return World(net: net, a: a, b: b, turn: turn, natA: na, natB: nb, hostA: ha, hostB: hb)
    }

    static func needsRelay(_ x: NATType, _ y: NATType) -> Bool {
        (x == .symmetric && (y == .symmetric || y == .portRestrictedCone)) || (y == .symmetric && x == .portRestrictedCone)
    }

    static let matrix: [(NATType, NATType)] = NATType.allCases.flatMap { x in NATType.allCases.map { (x, $0) } }

    @Test(arguments: matrix)
    func connectAcross(natA: NATType, natB: NATType) throws {
        let seed: UInt64 = 0xA7 &+ UInt64((NATType.allCases.firstIndex(of: natA) ?? 0) * 4 + (NATType.allCases.firstIndex(of: natB) ?? 0))
        let w = Self.world(seed: seed, natA: natA, natB: natB)
        do {
            try w.net.run(maxTime: .seconds(20)) { w.a.isConnected && w.b.isConnected }
        } catch {
            Issue.record("\(natA)↔\(natB) seed \(seed): \(error) A=\(w.a.state) B=\(w.b.state)")
            return
        }
        let relayed = w.a.agent.selectedPair?.local.type == .relayed || w.a.agent.selectedPair?.remote.type == .relayed
        #expect(relayed == Self.needsRelay(natA, natB), "\(natA)↔\(natB): selected \(String(describing: w.a.agent.selectedPair))")
        try w.a.agent.send(data: [0x80, 1], now: w.net.now)
        try w.b.agent.send(data: [0x80, 2], now: w.net.now)
        try w.net.run(maxTime: .seconds(2)) { !w.a.received.isEmpty && !w.b.received.isEmpty }
        #expect(w.a.received == [[0x80, 2]] && w.b.received == [[0x80, 1]])
    }

    /// The same seed replays the same trace (STUN, TURN, checks, consent for 40 s).
    @Test func sameSeedSameTrace() throws {
        func digest() throws -> UInt64 {
            let w = Self.world(seed: 99, natA: .symmetric, natB: .symmetric, loss: 0.05)
            try w.net.run(for: .seconds(40))
            #expect(w.a.isConnected && w.b.isConnected)
            return w.net.traceDigest
        }
        #expect(try digest() == digest())
    }
}
