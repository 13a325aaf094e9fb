import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

@Suite("JSON frame fuzzing")
struct FrameFuzzTests {
    /// Valid frames of every client type, the seeds for mutation.
    static func seeds(nonce: [UInt8], hub: RendezvousHub) -> [String] {
        let codec = SignalingCodec()
        let proof = (try? DeviceIdentityCredential(Devices.alice).proof(nonce: nonce, serverIdentity: hub.serverIdentity))
            ?? AuthProof(credential: .certificate([]), signature: [])
        let messages: [ClientMessage] = [
            .auth(proof),
            .signal(to: Devices.bob.deviceID, payload: #"{"kind":"offer"}"#),
            .subscribe([Devices.bob.deviceID, Devices.carol.deviceID]),
            .unsubscribe([Devices.bob.deviceID]),
            .createRoom(code: nil), .createRoom(code: "42"),
            .joinRoom(code: "42"),
            .roomMessage(code: "42", payload: "x"),
            .closeRoom(code: "42", outcome: .failed),
            .ping(id: "1"),
        ]
        return messages.map { codec.encode($0) }
    }

    static func mutate(_ text: String, _ random: inout SeededRandom) -> String {
        var bytes = Array(text.utf8)
        let interesting: [[UInt8]] = [Array("null".utf8), Array("[]".utf8), Array("{}".utf8), Array("\"".utf8),
                                      Array("\\u0000".utf8), Array("1e999".utf8), Array("-0".utf8), [0xFF], [0xC3],
                                      Array("{\"type\":".utf8), Array(String(repeating: "[", count: 600).utf8)]
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { bytes = Array("{}".utf8); continue }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(contentsOf: interesting[Int.random(in: 0..<interesting.count, using: &random)], at: at)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &random)))
            default: bytes.insert(bytes[at], at: at)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("mutated frames never crash the hub and every answer is a well-formed server frame")
    func mutation() {
        let seed: UInt64 = 0x5eed_f00d
        var random = SeededRandom(seed: seed)
        var limits = HubLimits()
        limits.messagesPerSecond = 1_000_000
        limits.messageBurst = 1_000_000
        limits.maxMalformedFrames = 1_000_000
        var h = HubHarness(limits: limits, seed: seed)
        let codec = SignalingCodec()
        let b = h.connect(Devices.bob)
        var rounds = 0
        for _ in 0..<40 {
            let (id, nonce) = h.open(source: "192.0.2.\(rounds % 200)")
            let seeds = Self.seeds(nonce: nonce, hub: h.hub)
            for _ in 0..<50 {
                let frame = Self.mutate(seeds[Int.random(in: 0..<seeds.count, using: &random)], &random)
                h.sendFrame(frame, from: id)
                rounds += 1
                for message in h.take(id) {
                    // Whatever went out must encode and decode again (clear errors, no garbage).
                    let text = codec.encode(message)
                    #expect((try? codec.decodeServerMessage(text)) == message, "seed \(seed): \(frame.prefix(200))")
                }
                if h.closed[id] != nil { break }
            }
            _ = h.take(b)
        }
        #expect(rounds > 100, "seed \(seed)")
        // The hub is still consistent: bob is online and reachable.
        #expect(h.hub.connection(of: Devices.bob.deviceID) == b)
    }

    @Test("the codec classifies garbage with clear errors", arguments: [
        ("", SignalingErrorCode.badMessage), ("null", .badMessage), ("[1,2]", .badMessage), ("{}", .badMessage),
        (#"{"type":5}"#, .badMessage), (#"{"type":"warp"}"#, .unsupportedType),
        (#"{"type":"signal","to":"nope","payload":"x"}"#, .invalidDeviceID),
        (#"{"type":"signal","payload":"x"}"#, .badMessage),
        (#"{"type":"auth","certificate":"***","signature":"AA=="}"#, .badMessage),
        (#"{"type":"join-room","room":"has space"}"#, .badMessage),
        (#"{"type":"close-room","room":"1","outcome":"maybe"}"#, .badMessage),
    ])
    func garbage(frame: String, code: SignalingErrorCode) {
        var h = HubHarness()
        let a = h.connect(Devices.alice)
        h.sendFrame(frame, from: a)
        #expect(HubHarness.errors(h.take(a)) == [code])
    }
}
