@testable import Pairing
import Testing
import WireKit

@Suite struct PairingSessionTests {
    @Test func matchingCodesPairAndExchangeDeviceInfo() throws {
        var h = try PairingHarness(initiatorCode: "7-velvet-river", responderCode: " 7 Velvet RIVER ", seed: 1)
        h.run()
        let a = try #require(h.initiatorResult, "initiator: \(h.initiatorEvents)")
        let b = try #require(h.responderResult, "responder: \(h.responderEvents)")
        #expect(a.peer == PairingHarness.responderInfo)
        #expect(b.peer == PairingHarness.initiatorInfo)
        #expect(a.sessionKey == b.sessionKey && a.sessionKey.count == 32)
        #expect(h.initiator.state == .paired && h.responder.state == .paired)
        #expect(h.delivered.count == 6, "share, confirm and payload each way")
        #expect(h.initiator.pollTimeout() == nil)
        // The device information never crosses the relay in clear.
        let secret = Array(PairingHarness.initiatorInfo.deviceName.utf8)
        #expect(!h.delivered.contains { contains($0.1, secret) })
    }

    @Test func differentRunsDeriveDifferentKeys() throws {
        var first = try PairingHarness(initiatorCode: "7-velvet-river", responderCode: "7-velvet-river", seed: 2)
        var second = try PairingHarness(initiatorCode: "7-velvet-river", responderCode: "7-velvet-river", seed: 3)
        first.run()
        second.run()
        let k1 = try #require(first.initiatorResult?.sessionKey)
        let k2 = try #require(second.initiatorResult?.sessionKey)
        #expect(k1 != k2)
    }

    @Test(arguments: ["7-velvet-lamp", "8-velvet-river", "7-river-velvet"])
    func aWrongCodeFailsBothSidesClearly(_ wrong: String) throws {
        var h = try PairingHarness(initiatorCode: "7-velvet-river", responderCode: wrong, seed: 4)
        h.run()
        #expect(h.initiatorResult == nil && h.responderResult == nil)
        let ea = try #require(h.initiatorError), eb = try #require(h.responderError)
        for e in [ea, eb] {
            #expect(e == .wrongCode || e == .peerAborted(.confirmationFailed), "\(e)")
            #expect(e.description.contains("code"))
        }
        // No payload was ever sent under an unconfirmed key.
        #expect(!h.delivered.contains { $0.1.count > 1 && $0.1[1] == 3 })
    }

    /// A relay that flips one bit of message number `target`: whatever is altered, no side
    /// accepts altered data, and if both sides pair they hold the same key.
    @Test(arguments: 0..<6)
    func aRelayAlteringAnyMessageNeverYieldsAWrongKey(_ target: Int) throws {
        var rng = SeededRandom(seed: 0xA17E_0000 + UInt64(target))
        for _ in 0..<3 {
            var h = try PairingHarness(initiatorCode: "3-ocean-piano", responderCode: "3-ocean-piano", seed: rng.next())
            var flipRNG = rng.fork()
            var altered = false
            h.run { _, seq, message in
                guard seq == target, message.count > 2 else { return [message] }
                var m = message
                let at = 2 + Int(flipRNG.next() % UInt64(m.count - 2))
                m[at] ^= UInt8(1) << UInt8(flipRNG.next() % 8)
                altered = true
                return [m]
            }
            #expect(altered, "seed \(rng.seed): message \(target) was not altered")
            #expect(h.initiatorError != nil || h.responderError != nil,
                    "seed \(rng.seed): altering message \(target) went unnoticed")
            if let a = h.initiatorResult { #expect(a.peer == PairingHarness.responderInfo) }
            if let b = h.responderResult { #expect(b.peer == PairingHarness.initiatorInfo) }
            if let a = h.initiatorResult, let b = h.responderResult {
                Issue.record("seed \(rng.seed): both paired despite tampering (keys equal: \(a.sessionKey == b.sessionKey))")
            }
            // Altered shares or confirmations make both sides fail.
            if target < 4 { #expect(h.initiatorResult == nil && h.responderResult == nil, "seed \(rng.seed)") }
        }
    }

    @Test func aRelayReflectingOrReorderingMessagesIsRejected() throws {
        // Reflection: each side gets its own share back.
        var reflect = try PairingHarness(initiatorCode: "5-cable-judge", responderCode: "5-cable-judge", seed: 5)
        let polled = reflect.initiator.pollTransmit()
        let aShare = try #require(polled)
        reflect.initiator.handle(message: aShare, now: reflect.now)
        #expect(reflect.initiator.state == .failed(.keyExchangeFailed(.reflectedShare)))

        // Reordering: a confirmation delivered before any share.
        var reorder = try PairingHarness(initiatorCode: "5-cable-judge", responderCode: "5-cable-judge", seed: 6)
        let bad = PairingMessage.confirm([UInt8](repeating: 7, count: 32)).encoded
        reorder.responder.handle(message: bad, now: reorder.now)
        guard case .failed(.unexpectedMessage) = reorder.responder.state else {
            Issue.record("got \(reorder.responder.state)")
            return
        }

        // Swapping the two sides' confirmations: each sees its own MAC as the peer's.
        var swap = try PairingHarness(initiatorCode: "5-cable-judge", responderCode: "5-cable-judge", seed: 7)
        var confirms: [PairingHarness.Direction: [UInt8]] = [:]
        swap.run { direction, _, message in
            guard message.count > 1, message[1] == 2 else { return [message] }
            confirms[direction] = message
            // Hold each confirmation; deliver the other side's own back to it once both are known.
            guard let toB = confirms[.toResponder], let toA = confirms[.toInitiator] else { return [] }
            return direction == .toResponder ? [toA] : [toB]
        }
        #expect(swap.initiatorResult == nil && swap.responderResult == nil)
    }

    @Test func aManInTheMiddleWithAGuessedCodeFailsOnBothSides() throws {
        var h = try PairingHarness(initiatorCode: "9-trust-wagon", responderCode: "9-trust-wagon", seed: 8)
        var rng = SeededRandom(seed: 9)
        let mallory = PairingPeerInfo(deviceID: "MALLORY", deviceName: "relay", signalingURL: "wss://evil")
        let guess = try PairingCode(parsing: "9-trust-water")
        var towardA = try PairingSession(role: .responder, code: guess, localInfo: mallory, entropy: rng.bytes(64), now: h.now)
        var towardB = try PairingSession(role: .initiator, code: guess, localInfo: mallory, entropy: rng.bytes(64), now: h.now)
        let now = h.now
        h.run { direction, _, message in
            // Mallory terminates each side's exchange with her own session and forwards hers.
            if direction == .toResponder {
                towardA.handle(message: message, now: now)
                var out: [[UInt8]] = []
                while let m = towardB.pollTransmit() { out.append(m) }
                return out
            } else {
                towardB.handle(message: message, now: now)
                var out: [[UInt8]] = []
                while let m = towardA.pollTransmit() { out.append(m) }
                return out
            }
        }
        // Let Mallory's replies toward A reach A.
        while let m = towardA.pollTransmit() { h.initiator.handle(message: m, now: h.now) }
        while let e = h.initiator.pollEvent() { h.initiatorEvents.append(e) }
        #expect(h.initiatorResult == nil && h.responderResult == nil)
        #expect(h.initiator.isFinished || h.responder.isFinished)
        var malloryPaired = false
        while let e = towardA.pollEvent() { if case .paired = e { malloryPaired = true } }
        while let e = towardB.pollEvent() { if case .paired = e { malloryPaired = true } }
        #expect(!malloryPaired, "Mallory learned nothing")
    }

    @Test func aReplayedShareFromAnEarlierRunFails() throws {
        var earlier = try PairingHarness(initiatorCode: "2-zebra-quick", responderCode: "2-zebra-quick", seed: 10)
        let polledShare = earlier.responder.pollTransmit()
        let oldResponderShare = try #require(polledShare)
        var h = try PairingHarness(initiatorCode: "2-zebra-quick", responderCode: "2-zebra-quick", seed: 11)
        var replaced = false
        h.run { direction, _, message in
            if direction == .toInitiator, message[1] == 1, !replaced { replaced = true; return [oldResponderShare] }
            return [message]
        }
        #expect(replaced)
        #expect(h.initiatorResult == nil && h.responderResult == nil)
        #expect(h.initiatorError == .wrongCode || h.responderError == .wrongCode)
    }

    @Test func timeoutAndCancelFailWithAReason() throws {
        var h = try PairingHarness(initiatorCode: "4-fossil-gym", responderCode: "4-fossil-gym", seed: 12)
        let deadline = try #require(h.initiator.pollTimeout())
        h.initiator.handle(timeout: deadline - .milliseconds(1))
        #expect(!h.initiator.isFinished)
        h.initiator.handle(timeout: deadline)
        #expect(h.initiator.state == .failed(.timedOut))
        _ = h.initiator.pollTransmit() // the share
        #expect(h.initiator.pollTransmit() == PairingMessage.abort(.timedOut).encoded)
        h.responder.cancel()
        #expect(h.responder.state == .failed(.cancelled))
        // The peer learns of the abort.
        var other = try PairingHarness(initiatorCode: "4-fossil-gym", responderCode: "4-fossil-gym", seed: 13)
        other.initiator.handle(message: PairingMessage.abort(.cancelled).encoded, now: other.now)
        #expect(other.initiator.state == .failed(.peerAborted(.cancelled)))
    }

    @Test func garbageMessagesFailWithoutTrapping() throws {
        var rng = SeededRandom(seed: 14)
        let base = try PairingHarness(initiatorCode: "1-echo-fire", responderCode: "1-echo-fire", seed: 15)
        for i in 0..<300 {
            var s = base.responder
            var bytes = rng.bytes(Int(rng.next() % 120))
            if i % 2 == 0, bytes.count >= 2 { bytes[0] = 1; bytes[1] = UInt8(1 + rng.next() % 4) }
            s.handle(message: bytes, now: base.now)
            #expect(s.isFinished || s.state == .awaitingConfirmation, "seed 14 input \(i)")
        }
    }

    @Test func oversizedLocalInfoIsRefused() throws {
        let info = PairingPeerInfo(deviceID: "X", deviceName: String(repeating: "n", count: 300), signalingURL: "")
        #expect(throws: PairingError.invalidLocalInfo) {
            try PairingSession(role: .initiator, code: PairingCode(parsing: "1-echo-fire"), localInfo: info,
                               entropy: [UInt8](repeating: 1, count: 64), now: .zero)
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count, !needle.isEmpty else { return needle.isEmpty }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
}
