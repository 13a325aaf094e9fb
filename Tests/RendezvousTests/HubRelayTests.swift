import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

@Suite("Hub relay and presence")
struct HubRelayTests {
    @Test("a signal reaches the addressed online device only, payload unchanged, sender named")
    func relayOnline() {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let c = h.connect(Devices.carol)
        let payload = #"{"kind":"offer","sdp":"v=0\r\n…","odd":[1,2.50,"\u00e9"]}"#
        h.send(.signal(to: Devices.bob.deviceID, payload: payload), from: a)
        #expect(h.take(b) == [.signal(from: Devices.alice.deviceID, payload: payload)])
        #expect(h.take(a).isEmpty)
        #expect(h.take(c).isEmpty)
        #expect(h.events.contains(.relayed(.signal)))
    }

    @Test("a signal to an offline device gets a device-offline error naming it (no queue)")
    func relayOffline() {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        h.send(.signal(to: Devices.bob.deviceID, payload: "x"), from: a)
        let messages = h.take(a)
        #expect(messages == [.error(code: .deviceOffline, message: "the device is not connected; signals are not queued",
                                    ref: Devices.bob.deviceID.description)])
        // Coming online later does not deliver it.
        let b = h.connect(Devices.bob)
        #expect(h.take(b).isEmpty)
    }

    @Test("the payload survives the JSON round trip through the codec byte for byte")
    func payloadOpaque() throws {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        let b = h.connect(Devices.bob)
        let payload = "{\"a\": 1.0e0, \"b\" :[ ] }\u{0}\u{1F600}\\"
        let frame = SignalingCodec().encode(ClientMessage.signal(to: Devices.bob.deviceID, payload: payload))
        h.sendFrame(frame, from: a)
        let out = h.take(b)
        #expect(out.count == 1)
        let text = SignalingCodec().encode(try #require(out.first))
        #expect(try SignalingCodec().decodeServerMessage(text) == .signal(from: Devices.alice.deviceID, payload: payload))
    }

    @Test("presence: the current state on subscribe, then online and offline changes; only subscribed IDs")
    func presence() {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        h.send(.subscribe([Devices.bob.deviceID]), from: a)
        #expect(h.take(a) == [.presence(device: Devices.bob.deviceID, online: false)])
        let b = h.connect(Devices.bob)
        _ = h.connect(Devices.carol)  // not subscribed: no presence
        #expect(h.take(a) == [.presence(device: Devices.bob.deviceID, online: true)])
        h.hub.handle(disconnect: b, now: h.now)
        h.drain()
        #expect(h.take(a) == [.presence(device: Devices.bob.deviceID, online: false)])
        h.send(.unsubscribe([Devices.bob.deviceID]), from: a)
        _ = h.connect(Devices.bob)
        #expect(h.take(a).isEmpty)
    }

    @Test("ping is answered even before authentication")
    func ping() {
        var h = HubHarness()
        let (id, _) = h.open()
        h.send(.ping(id: "7"), from: id)
        #expect(h.take(id) == [.pong(id: "7")])
    }
}
