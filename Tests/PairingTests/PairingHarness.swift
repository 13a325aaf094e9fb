@testable import Pairing
import WireKit

/// Two PairingSessions joined by an in-memory relay (the rendezvous room), with a hook that
/// lets a test act as a malicious relay. Deterministic: entropy from a seeded generator.
struct PairingHarness {
    enum Direction: Sendable { case toResponder, toInitiator }

    var initiator: PairingSession
    var responder: PairingSession
    var initiatorEvents: [PairingSession.Event] = []
    var responderEvents: [PairingSession.Event] = []
    /// Messages the relay forwarded, in order, with their direction (after tampering).
    var delivered: [(Direction, [UInt8])] = []
    var now = Instant(nanoseconds: 1_000_000_000)

    static let initiatorInfo = PairingPeerInfo(deviceID: "MFZWI3D-BONSGYC-AAAAAAA", deviceName: "laptop",
                                               signalingURL: "wss://rendezvous.example/ws")
    static let responderInfo = PairingPeerInfo(deviceID: "NBSWY3D-PEB3W64-BBBBBBB", deviceName: "desktop",
                                               signalingURL: "wss://rendezvous.example/ws")

    init(initiatorCode: String, responderCode: String, seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        initiator = try PairingSession(role: .initiator, code: PairingCode(parsing: initiatorCode),
                                       localInfo: Self.initiatorInfo, entropy: rng.bytes(64), now: now)
        responder = try PairingSession(role: .responder, code: PairingCode(parsing: responderCode),
                                       localInfo: Self.responderInfo, entropy: rng.bytes(64), now: now)
    }

    /// Shuttles messages until both sides are quiet (bounded). `relay` sees each message with
    /// its direction and sequence number and returns what to deliver instead (none, altered,
    /// several).
    mutating func run(relay: (Direction, Int, [UInt8]) -> [[UInt8]] = { _, _, m in [m] }) {
        var sequence = 0
        for _ in 0..<100 {
            var moved = false
            while let m = initiator.pollTransmit() {
                moved = true
                for out in relay(.toResponder, sequence, m) {
                    delivered.append((.toResponder, out))
                    responder.handle(message: out, now: now)
                }
                sequence += 1
            }
            while let m = responder.pollTransmit() {
                moved = true
                for out in relay(.toInitiator, sequence, m) {
                    delivered.append((.toInitiator, out))
                    initiator.handle(message: out, now: now)
                }
                sequence += 1
            }
            while let e = initiator.pollEvent() { initiatorEvents.append(e) }
            while let e = responder.pollEvent() { responderEvents.append(e) }
            if !moved { return }
        }
        preconditionFailure("pairing did not settle in 100 rounds")
    }

    var initiatorResult: PairingSession.Result? {
        initiatorEvents.compactMap { if case .paired(let r) = $0 { r } else { nil } }.first
    }

    var responderResult: PairingSession.Result? {
        responderEvents.compactMap { if case .paired(let r) = $0 { r } else { nil } }.first
    }

    var initiatorError: PairingError? {
        initiatorEvents.compactMap { if case .failed(let e) = $0 { e } else { nil } }.first
    }

    var responderError: PairingError? {
        responderEvents.compactMap { if case .failed(let e) = $0 { e } else { nil } }.first
    }
}
