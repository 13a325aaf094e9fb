import Testing
import WireKit
@testable import STUN

/// A randomized mutation test of the STUN decoder (the in-suite companion of the libFuzzer
/// target in contrib/fuzz): mutated valid messages and random bytes only ever throw
/// ``STUNParseError`` or decode; nothing traps.
@Suite struct STUNMutationTests {
    static func seeds() -> [[UInt8]] {
        var rng = SeededRandom(seed: 7)
        let id = STUNTransactionID.random(using: &rng)
        let rich = STUNMessage(type: .init(method: .allocate, messageClass: .errorResponse), transactionID: id, attributes: [
            .errorCode(.unauthenticated), .realm("peersync.test"), .nonce("abc"), .unknownAttributes([0x1234, 0x0002]),
            .xorRelayedAddress(TransportAddress("[2001:db8::1]:4000")!), .lifetime(600), .channelNumber(0x4000),
            .data([1, 2, 3]), .requestedTransport(17), .dontFragment, .other(type: 0x7777, value: [9, 9]),
        ]).encode(key: .shortTerm(password: "x"), algorithm: .sha256, fingerprint: true)
        return [RFC5769VectorTests.sampleRequest, RFC5769VectorTests.ipv4Response, RFC5769VectorTests.ipv6Response,
                RFC5769VectorTests.longTermRequest, rich]
    }

    @Test func mutatedInputsNeverTrap() {
        let seed: UInt64 = 0x5EED_57A1
        var rng = SeededRandom(seed: seed)
        let corpus = Self.seeds()
        var decoded = 0, rejected = 0
        for _ in 0..<20_000 {
            var input = corpus[Int(rng.next() % UInt64(corpus.count))]
            let edits = 1 + Int(rng.next() % 4)
            for _ in 0..<edits {
                switch rng.next() % 5 {
                case 0 where !input.isEmpty: input[Int(rng.next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 1 where !input.isEmpty: input.removeLast(Int(rng.next() % UInt64(input.count)))
                case 2: input.append(contentsOf: rng.bytes(Int(rng.next() % 16)))
                case 3 where input.count > 3:  // keep the header length consistent so attribute parsing is reached
                    let body = input.count - 20
                    if body >= 0 { input[2] = UInt8(truncatingIfNeeded: body >> 8); input[3] = UInt8(truncatingIfNeeded: body) }
                default: input = rng.bytes(Int(rng.next() % 64))
                }
            }
            do {
                let m = try STUNMessage.decode(input)
                _ = m.verifyIntegrity(key: .shortTerm(password: "x"))
                _ = m.encode()
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(decoded + rejected == 20_000, "seed \(seed)")
        #expect(rejected > 0 && decoded > 0, "seed \(seed): both outcomes should occur")
    }

    @Test func seedsRoundTrip() throws {
        for bytes in Self.seeds() {
            let m = try STUNMessage.decode(bytes)
            #expect(try STUNMessage.decode(m.encode()) == m)
        }
    }
}
