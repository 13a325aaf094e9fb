import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

/// `RendezvousHub.routeSignal` (the relay's hot path, whose payload the driver forwards itself)
/// must leave every connection with exactly what `handle(message: .signal(…))` gives it.
@Suite("Hub signal routing shortcut")
struct HubSignalRouteTests {
    /// One step of a script: who sends a signal to whom, or time passing.
    enum Step {
        case signal(from: Int, to: DeviceID)
        case wait(Duration)
    }

    /// Runs `steps` on a hub through `handle(message:)` only, or through `routeSignal` the way
    /// the server's driver does (delivering `.deliver` itself, deferring `.general`).
    static func run(_ steps: [Step], shortcut: Bool) -> (HubHarness, [ConnectionID], [SignalRoute]) {
        var limits = HubLimits()
        limits.messagesPerSecond = 10
        limits.messageBurst = 4
        limits.rateLimitCloseAfter = 5
        var h = HubHarness(limits: limits)
        let alice = h.connect(Devices.alice)
        let bob = h.connect(Devices.bob)
        let (stranger, _) = h.open()
        let connections = [alice, bob, stranger]
        var routes: [SignalRoute] = []
        for (index, step) in steps.enumerated() {
            switch step {
            case .wait(let duration):
                h.advance(duration)
            case .signal(let from, let to):
                let payload = "p\(index)"
                guard shortcut else {
                    h.send(.signal(to: to, payload: payload), from: connections[from])
                    continue
                }
                let route = h.hub.routeSignal(to: to, from: connections[from], now: h.now)
                routes.append(route)
                switch route {
                case .deliver(let destination, let device):
                    h.drain()
                    h.inbox[destination, default: []].append(.signal(from: device, payload: payload))
                case .handled:
                    h.drain()
                case .general:
                    h.send(.signal(to: to, payload: payload), from: connections[from])
                }
            }
        }
        return (h, connections, routes)
    }

    @Test("relays, refusals (offline, not authenticated, rate limit) and the 4004 close are the general path's")
    func sameAsGeneral() {
        let alice = Devices.alice.deviceID
        let bob = Devices.bob.deviceID
        let carol = Devices.carol.deviceID
        var steps: [Step] = [
            .signal(from: 2, to: bob),      // not authenticated
            .signal(from: 0, to: carol),    // offline
            .signal(from: 0, to: bob),
            .signal(from: 1, to: alice),
            .signal(from: 0, to: alice),    // to itself
        ]
        steps += Array(repeating: .signal(from: 0, to: bob), count: 4)  // over the burst: refused
        steps += [.wait(.milliseconds(250)), .signal(from: 0, to: bob), .signal(from: 0, to: bob)]
        steps += Array(repeating: .signal(from: 0, to: bob), count: 6)  // closed with 4004
        steps += [.signal(from: 1, to: alice)]                           // alice is gone: general path
        let (general, ids, _) = Self.run(steps, shortcut: false)
        let (shortcut, shortcutIDs, routes) = Self.run(steps, shortcut: true)
        #expect(ids == shortcutIDs)
        for id in ids {
            #expect(general.inbox[id] ?? [] == shortcut.inbox[id] ?? [], "connection \(id)")
        }
        #expect(general.closed == shortcut.closed)
        #expect(general.closed[ids[0]] == .rateLimited)
        #expect(general.events == shortcut.events)
        // Every kind of answer was exercised.
        #expect(routes.contains(.general))
        #expect(routes.contains(.handled))
        #expect(routes.contains(.deliver(ids[1], from: alice)))
        #expect(routes.contains(.deliver(ids[0], from: alice)))
    }

    @Test("a signal deferred to the general path leaves the hub untouched (no token taken)")
    func generalTakesNothing() {
        var limits = HubLimits()
        limits.messageBurst = 1
        var h = HubHarness(limits: limits)
        let (id, nonce) = h.open()
        // The only token pays for auth, so a refill is needed for anything else.
        h.send(.auth(h.proof(Devices.alice, nonce: nonce)), from: id)
        _ = h.take(id)
        h.advance(.seconds(1))
        let eventsBefore = h.events.count
        #expect(h.hub.routeSignal(to: Devices.carol.deviceID, from: id, now: h.now) == .general)
        h.drain()
        #expect(h.events.count == eventsBefore)
        #expect(h.take(id).isEmpty)
        // The token is still there: the general path answers device-offline, not rate-limited.
        h.send(.signal(to: Devices.carol.deviceID, payload: "x"), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.deviceOffline])
    }
}
