import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

@Suite("Hub limits")
struct HubLimitTests {
    @Test("total connections: beyond the maximum, server-full and close 4005")
    func totalConnections() {
        var limits = HubLimits()
        limits.maxConnections = 3
        var h = HubHarness(limits: limits)
        for i in 0..<3 { _ = h.open(source: "192.0.2.\(i)") }
        let id = h.hub.open(source: "192.0.2.9", now: h.now)
        h.drain()
        #expect(HubHarness.errors(h.take(id)) == [.serverFull])
        #expect(h.closed[id] == .serverFull)
        #expect(h.hub.connectionCount == 3)
    }

    @Test("connections per source address: beyond the maximum, too-many-connections and close 4006; freed on disconnect")
    func perAddress() {
        var limits = HubLimits()
        limits.maxConnectionsPerAddress = 2
        var h = HubHarness(limits: limits)
        let (first, _) = h.open(source: "198.51.100.7")
        _ = h.open(source: "198.51.100.7")
        let (third, _) = h.open(source: "198.51.100.7")
        #expect(h.closed[third] == .tooManyConnections)
        let (other, _) = h.open(source: "198.51.100.8")
        #expect(h.closed[other] == nil)
        h.hub.handle(disconnect: first, now: h.now)
        let (again, _) = h.open(source: "198.51.100.7")
        #expect(h.closed[again] == nil)
    }

    @Test("message size: a frame over the limit gets message-too-large and close 1009")
    func messageSize() {
        var limits = HubLimits()
        limits.maxFrameBytes = 2_000
        var h = HubHarness(limits: limits)
        let a = h.connect(Devices.alice)
        let frame = #"{"type":"ping","id":""# + String(repeating: "x", count: 2_100) + #""}"#
        h.sendFrame(frame, from: a)
        #expect(HubHarness.errors(h.take(a)) == [.messageTooLarge])
        #expect(h.closed[a] == .messageTooLarge)
    }

    @Test("payload size: over the limit gets payload-too-large and is not relayed")
    func payloadSize() {
        var limits = HubLimits()
        limits.maxPayloadBytes = 100
        var h = HubHarness(limits: limits)
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let frame = SignalingCodec().encode(ClientMessage.signal(to: Devices.bob.deviceID, payload: String(repeating: "p", count: 101)))
        h.sendFrame(frame, from: a)
        #expect(HubHarness.errors(h.take(a)) == [.payloadTooLarge])
        #expect(h.take(b).isEmpty)
        #expect(h.closed[a] == nil)
    }

    @Test("messages per second: over the burst, rate-limited errors; refill with time; sustained abuse closes with 4004")
    func rate() {
        var limits = HubLimits()
        limits.messagesPerSecond = 10
        limits.messageBurst = 5
        limits.rateLimitCloseAfter = 8
        var h = HubHarness(limits: limits)
        let (id, _) = h.open()
        for i in 0..<5 { h.send(.ping(id: "\(i)"), from: id) }
        #expect(h.take(id).count == 5)
        h.send(.ping(id: "x"), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.rateLimited])
        h.advance(.milliseconds(100))  // one token back
        h.send(.ping(id: "y"), from: id)
        #expect(h.take(id) == [.pong(id: "y")])
        for _ in 0..<7 { h.send(.ping(id: "z"), from: id) }
        #expect(h.closed[id] == nil)
        h.send(.ping(id: "z"), from: id)
        #expect(h.closed[id] == .rateLimited)
    }

    @Test("subscriptions per connection are bounded")
    func subscriptions() {
        var limits = HubLimits()
        limits.maxSubscriptions = 2
        var h = HubHarness(limits: limits)
        let a = h.connect(Devices.alice)
        h.send(.subscribe([Devices.bob.deviceID, Devices.carol.deviceID]), from: a)
        #expect(h.take(a).count == 2)
        h.send(.subscribe([Devices.dave.deviceID]), from: a)
        #expect(HubHarness.errors(h.take(a)) == [.tooManySubscriptions])
    }

    @Test("rooms per device are bounded")
    func roomsPerDevice() {
        var limits = HubLimits()
        limits.maxRoomsPerDevice = 2
        var h = HubHarness(limits: limits)
        let a = h.connect(Devices.alice)
        h.send(.createRoom(code: nil), from: a)
        h.send(.createRoom(code: "second"), from: a)
        h.send(.createRoom(code: "third"), from: a)
        let messages = h.take(a)
        #expect(messages.filter { if case .roomCreated = $0 { true } else { false } }.count == 2)
        #expect(HubHarness.errors(messages) == [.roomLimit])
        #expect(h.hub.roomCount == 2)
    }

    @Test("malformed frames get errors; too many close the connection with 4008")
    func malformedFrames() {
        var limits = HubLimits()
        limits.maxMalformedFrames = 3
        var h = HubHarness(limits: limits)
        let (id, _) = h.open()
        h.sendFrame("{", from: id)
        h.sendFrame(#"{"type":"nope"}"#, from: id)
        #expect(HubHarness.errors(h.take(id)) == [.badMessage, .unsupportedType])
        #expect(h.closed[id] == nil)
        h.sendFrame("[]", from: id)
        #expect(h.closed[id] == .protocolViolation)
    }

    @Test("a slow consumer is closed with 4007 and forgotten")
    func slowConsumer() {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        h.hub.handle(slowConsumer: a, now: h.now)
        h.drain()
        #expect(h.closed[a] == .slowConsumer)
        #expect(h.hub.connection(of: Devices.alice.deviceID) == nil)
    }
}
