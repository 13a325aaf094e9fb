import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

@Suite("Hub pairing rooms")
struct HubRoomTests {
    /// Creates a room as alice and returns its code.
    static func create(_ h: inout HubHarness, by id: ConnectionID, code: String? = nil) -> String? {
        h.send(.createRoom(code: code), from: id)
        for message in h.take(id) { if case .roomCreated(let code, let expires) = message, expires == 600 { return code } }
        return nil
    }

    @Test("create, join, relay both ways, burnt after close-room done")
    func pairing() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let code = try #require(Self.create(&h, by: a))
        #expect(code.allSatisfy(\.isNumber) && (1...4).contains(code.count))
        h.send(.joinRoom(code: code), from: b)
        #expect(h.take(a) == [.roomJoined(code: code)])
        #expect(h.take(b) == [.roomJoined(code: code)])
        h.send(.roomMessage(code: code, payload: "pake-a"), from: a)
        h.send(.roomMessage(code: code, payload: "pake-b"), from: b)
        #expect(h.take(b) == [.roomMessage(code: code, payload: "pake-a")])
        #expect(h.take(a) == [.roomMessage(code: code, payload: "pake-b")])
        h.send(.closeRoom(code: code, outcome: .done), from: a)
        #expect(h.take(a) == [.roomClosed(code: code, reason: .done)])
        #expect(h.take(b) == [.roomClosed(code: code, reason: .done)])
        #expect(h.hub.roomCount == 0)
        // Burnt: neither joining nor messaging works any more.
        let c = h.connect(Devices.carol)
        h.send(.joinRoom(code: code), from: c)
        #expect(HubHarness.errors(h.take(c)) == [.noSuchRoom])
        h.send(.roomMessage(code: code, payload: "late"), from: a)
        #expect(HubHarness.errors(h.take(a)) == [.noSuchRoom])
    }

    @Test("a client-chosen code is used; a taken code is refused")
    func clientCode() {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        #expect(Self.create(&h, by: a, code: "7") == "7")
        h.send(.createRoom(code: "7"), from: b)
        #expect(HubHarness.errors(h.take(b)) == [.roomExists])
    }

    @Test("a third party is refused with room-full and cannot read or write the room")
    func thirdParty() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let c = h.connect(Devices.carol)
        let code = try #require(Self.create(&h, by: a))
        h.send(.joinRoom(code: code), from: b)
        _ = h.take(a)
        _ = h.take(b)
        h.send(.joinRoom(code: code), from: c)
        #expect(HubHarness.errors(h.take(c)) == [.roomFull])
        h.send(.roomMessage(code: code, payload: "evil"), from: c)
        #expect(HubHarness.errors(h.take(c)) == [.notInRoom])
        h.send(.closeRoom(code: code, outcome: .failed), from: c)
        #expect(HubHarness.errors(h.take(c)) == [.notInRoom])
        #expect(h.take(a).isEmpty && h.take(b).isEmpty)
        #expect(h.hub.roomCount == 1)
    }

    @Test("a failure report burns the room and tells the other member")
    func failed() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let code = try #require(Self.create(&h, by: a))
        h.send(.joinRoom(code: code), from: b)
        _ = h.take(a)
        h.send(.closeRoom(code: code, outcome: .failed), from: b)
        #expect(h.take(a) == [.roomClosed(code: code, reason: .failed)])
        #expect(h.hub.roomCount == 0)
    }

    @Test("rooms expire after 10 minutes on the injected clock")
    func expiry() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let code = try #require(Self.create(&h, by: a))
        h.advance(.seconds(599))
        #expect(h.hub.roomCount == 1)
        h.advance(.seconds(1))
        #expect(h.take(a) == [.roomClosed(code: code, reason: .expired)])
        #expect(h.hub.roomCount == 0)
        // A new room under the same code is not burnt by the old deadline.
        #expect(Self.create(&h, by: a, code: code) == code)
        h.advance(.seconds(1))
        #expect(h.hub.roomCount == 1)
    }

    @Test("a member disconnecting burns the room with peer-left")
    func peerLeft() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let code = try #require(Self.create(&h, by: a))
        h.send(.joinRoom(code: code), from: b)
        _ = h.take(b)
        h.hub.handle(disconnect: a, now: h.now)
        h.drain()
        #expect(h.take(b) == [.roomClosed(code: code, reason: .peerLeft)])
    }

    @Test("messages before the second member joins, and joining one's own room, are refused")
    func edgeCases() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let code = try #require(Self.create(&h, by: a))
        h.send(.roomMessage(code: code, payload: "early"), from: a)
        h.send(.joinRoom(code: code), from: a)
        #expect(HubHarness.errors(h.take(a)) == [.notInRoom, .invalidRoom])
    }

    @Test("a room relays at most maxRoomMessages messages")
    func roomMessageLimit() throws {
        var limits = HubLimits()
        limits.maxRoomMessages = 3
        var h = HubHarness(limits: limits)
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let code = try #require(Self.create(&h, by: a))
        h.send(.joinRoom(code: code), from: b)
        _ = h.take(b)
        for i in 0..<4 { h.send(.roomMessage(code: code, payload: "\(i)"), from: a) }
        #expect(h.take(b).count == 3)
        #expect(HubHarness.errors(h.take(a)) == [.roomMessageLimit])
    }
}
