import SDP
import Testing
import WireKit

/// Fuzz-style robustness: seeded random mutations of the real fixtures must either be
/// rejected with an error naming an existing line, or parse into a description that
/// writes and re-parses to the same value. Never a trap.
@Suite struct MutationTests {
    static let seed: UInt64 = 0x5D9_2026

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = Array(" :=/\r\n0a-*\u{7F}".utf8) + [0x00, 0xC3, 0xFF]
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !bytes.isEmpty else { break }
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 7 {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes[at] = interesting[Int(rng.next() % UInt64(interesting.count))]
            case 2: bytes.remove(at: at)
            case 3: bytes.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: at)
            case 4: // duplicate a chunk
                let len = min(bytes.count - at, 1 + Int(rng.next() % 40))
                bytes.insert(contentsOf: bytes[at..<(at + len)], at: at)
            case 5: // truncate
                bytes.removeSubrange(at...)
            default: // swap two lines
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                guard lines.count > 2 else { break }
                var l = lines.map(Array.init)
                let i = Int(rng.next() % UInt64(l.count)), j = Int(rng.next() % UInt64(l.count))
                l.swapAt(i, j)
                bytes = Array(l.joined(separator: [0x0A]))
            }
        }
        return bytes
    }

    @Test func randomMutationsNeverTrapAndRoundTrip() throws {
        var rng = SeededRandom(seed: Self.seed)
        var accepted = 0, rejected = 0
        let corpus = try Fixtures.names.map(Fixtures.bytes)
        for iteration in 0..<1200 {
            let input = Self.mutate(corpus[iteration % corpus.count], &rng)
            let lineCount = input.split(separator: 0x0A, omittingEmptySubsequences: false).count
            do {
                let sdp = try SessionDescription(parsing: input)
                let again = try SessionDescription(parsing: sdp.serialized)
                #expect(again == sdp, "seed \(Self.seed) iteration \(iteration): write/parse changed the value")
                #expect(again.serialized == sdp.serialized)
                accepted += 1
            } catch {
                #expect(error.line >= 1 && error.line <= lineCount + 1,
                        "seed \(Self.seed) iteration \(iteration): error names line \(error.line) of \(lineCount)")
                rejected += 1
            }
        }
        // Both outcomes must occur, or the mutator is not exercising the parser.
        #expect(accepted > 50 && rejected > 50, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: Self.seed ^ 0xFFFF)
        for _ in 0..<1000 {
            var bytes = Array("v=0\r\n".utf8) + rng.bytes(Int(rng.next() % 300))
            if rng.chance(0.5) { bytes += Array("\r\n".utf8) }
            _ = try? SessionDescription(parsing: bytes)
        }
    }
}
