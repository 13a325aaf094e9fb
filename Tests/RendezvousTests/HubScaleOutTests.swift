import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

/// Two hubs (nodes) joined by a simulated bus that delivers every published message to every
/// node, as PostgreSQL NOTIFY does (the sender included).
struct TwoNodes {
    var a: HubHarness
    var b: HubHarness

    init() {
        a = HubHarness(seed: 1, node: NodeID("node-a"))
        b = HubHarness(seed: 2, node: NodeID("node-b"))
    }

    /// Carries bus messages between the nodes until both are quiet.
    mutating func pump() {
        for _ in 0..<32 {
            var outA: [BusMessage] = []
            var outB: [BusMessage] = []
            while let m = a.hub.pollBusMessage() { outA.append(m) }
            while let m = b.hub.pollBusMessage() { outB.append(m) }
            if outA.isEmpty && outB.isEmpty { return }
            for m in outA + outB {
                a.hub.handle(bus: m, now: a.now)
                b.hub.handle(bus: m, now: b.now)
                // Bus messages survive their JSON form (what NOTIFY carries).
                #expect((try? BusCodec.decode(BusCodec.encode(m))) == m)
            }
            a.drain()
            b.drain()
        }
    }
}

extension HubHarness {
    init(seed: UInt64, node: NodeID) {
        self.seed = seed
        hub = RendezvousHub(limits: HubLimits(), serverIdentity: "test-server", random: SeededRandom(seed: seed), node: node)
    }
}

@Suite("Hub scale-out over a bus")
struct HubScaleOutTests {
    @Test("presence and signals across nodes")
    func presenceAndSignals() {
        var n = TwoNodes()
        let alice = n.a.connect(Devices.alice)
        n.a.send(.subscribe([Devices.bob.deviceID]), from: alice)
        #expect(n.a.take(alice) == [.presence(device: Devices.bob.deviceID, online: false)])
        let bob = n.b.connect(Devices.bob)
        n.pump()
        #expect(n.a.take(alice) == [.presence(device: Devices.bob.deviceID, online: true)])
        n.a.send(.signal(to: Devices.bob.deviceID, payload: "offer"), from: alice)
        n.pump()
        #expect(n.b.take(bob) == [.signal(from: Devices.alice.deviceID, payload: "offer")])
        n.b.send(.signal(to: Devices.alice.deviceID, payload: "answer"), from: bob)
        n.pump()
        #expect(n.a.take(alice) == [.signal(from: Devices.bob.deviceID, payload: "answer")])
        n.b.hub.handle(disconnect: bob, now: n.b.now)
        n.b.drain()
        n.pump()
        #expect(n.a.take(alice) == [.presence(device: Devices.bob.deviceID, online: false)])
        n.a.send(.signal(to: Devices.bob.deviceID, payload: "late"), from: alice)
        #expect(HubHarness.errors(n.a.take(alice)) == [.deviceOffline])
    }

    @Test("a device connecting on another node replaces its older connection there, without flicker")
    func newerWinsAcrossNodes() {
        var n = TwoNodes()
        let watcher = n.a.connect(Devices.carol)
        n.a.send(.subscribe([Devices.alice.deviceID]), from: watcher)
        _ = n.a.take(watcher)
        let old = n.a.connect(Devices.alice)
        _ = n.a.take(watcher)
        let new = n.b.connect(Devices.alice)
        n.pump()
        #expect(n.a.closed[old] == .replaced)
        #expect(n.b.closed[new] == nil)
        #expect(n.a.take(watcher).isEmpty)
        n.a.send(.signal(to: Devices.alice.deviceID, payload: "x"), from: watcher)
        n.pump()
        #expect(n.b.take(new) == [.signal(from: Devices.carol.deviceID, payload: "x")])
    }

    @Test("a room created on one node is joined and used from the other, then burnt for both")
    func roomsAcrossNodes() throws {
        var n = TwoNodes()
        let alice = n.a.connect(Devices.alice)
        let bob = n.b.connect(Devices.bob)
        let carol = n.b.connect(Devices.carol)
        n.a.send(.createRoom(code: "31"), from: alice)
        #expect(n.a.take(alice) == [.roomCreated(code: "31", expiresIn: 600)])
        n.pump()
        n.b.send(.joinRoom(code: "31"), from: bob)
        n.pump()
        #expect(n.a.take(alice) == [.roomJoined(code: "31")])
        #expect(n.b.take(bob) == [.roomJoined(code: "31")])
        n.b.send(.joinRoom(code: "31"), from: carol)
        n.pump()
        #expect(HubHarness.errors(n.b.take(carol)) == [.roomFull])
        n.b.send(.roomMessage(code: "31", payload: "from-bob"), from: bob)
        n.a.send(.roomMessage(code: "31", payload: "from-alice"), from: alice)
        n.pump()
        #expect(n.a.take(alice) == [.roomMessage(code: "31", payload: "from-bob")])
        #expect(n.b.take(bob) == [.roomMessage(code: "31", payload: "from-alice")])
        n.b.send(.closeRoom(code: "31", outcome: .failed), from: bob)
        n.pump()
        #expect(n.a.take(alice) == [.roomClosed(code: "31", reason: .failed)])
        #expect(n.b.take(bob) == [.roomClosed(code: "31", reason: .failed)])
        #expect(n.a.hub.roomCount == 0)
        n.b.send(.joinRoom(code: "31"), from: carol)
        #expect(HubHarness.errors(n.b.take(carol)) == [.noSuchRoom])
    }

    @Test("a remote room expires on its owner's clock and its remote member is told")
    func remoteExpiry() {
        var n = TwoNodes()
        let alice = n.a.connect(Devices.alice)
        let bob = n.b.connect(Devices.bob)
        n.a.send(.createRoom(code: "5"), from: alice)
        n.pump()
        n.b.send(.joinRoom(code: "5"), from: bob)
        n.pump()
        _ = n.b.take(bob)
        n.a.advance(.seconds(600))
        n.pump()
        #expect(n.b.take(bob) == [.roomClosed(code: "5", reason: .expired)])
    }

    @Test("a node that starts late learns who is online from the others")
    func lateNode() {
        var n = TwoNodes()
        _ = n.a.connect(Devices.alice)
        n.pump()
        var late = HubHarness(seed: 3, node: NodeID("node-c"))
        late.hub.announceStart()
        let request = late.hub.pollBusMessage()
        #expect(request == .announceRequest(node: NodeID("node-c")))
        if let request { n.a.hub.handle(bus: request, now: n.a.now) }
        while let m = n.a.hub.pollBusMessage() { late.hub.handle(bus: m, now: late.now) }
        let dave = late.connect(Devices.dave)
        late.send(.subscribe([Devices.alice.deviceID]), from: dave)
        #expect(late.take(dave) == [.presence(device: Devices.alice.deviceID, online: true)])
    }
}
