@testable import Pairing
import Testing
import WireKit

@Suite struct PairingCodeTests {
    static let wordIndex = Dictionary(uniqueKeysWithValues: PairingWordList.words.enumerated().map { ($1, $0) })

    @Test func wordListIsSound() {
        let words = PairingWordList.words
        #expect(words.count == 2048, "11 bits per word")
        #expect(Set(words).count == 2048)
        #expect(Set(words.map { String($0.prefix(4)) }).count == 2048, "unique four-letter prefixes")
        #expect(words.allSatisfy { (3...8).contains($0.count) && $0.allSatisfy { $0 >= "a" && $0 <= "z" } })
        #expect(PairingCode.secretBits == 22)
    }

    @Test func parsingIsForgivingButExact() throws {
        let c = try PairingCode(parsing: "  7-Velvet-RIVER\n")
        #expect(c.description == "7-velvet-river" && c.nameplate == 7)
        #expect(try PairingCode(parsing: "7 velvet river") == c)
        #expect(try PairingCode(parsing: "7-velv-rive") == c, "unique 4-letter prefixes")
        #expect(try PairingCode(parsing: "123-abandon-zoo").nameplate == 123)
        #expect(throws: PairingCodeError.malformed) { try PairingCode(parsing: "7-velvet") }
        #expect(throws: PairingCodeError.malformed) { try PairingCode(parsing: "7-velvet-river-extra") }
        #expect(throws: PairingCodeError.invalidNameplate) { try PairingCode(parsing: "x-velvet-river") }
        #expect(throws: PairingCodeError.invalidNameplate) { try PairingCode(parsing: "1234567-velvet-river") }
        #expect(throws: PairingCodeError.unknownWord("velvetz")) { try PairingCode(parsing: "7-velvetz-river") }
        #expect(throws: PairingCodeError.unknownWord("ab")) { try PairingCode(parsing: "7-ab-river") }
        #expect(throws: PairingCodeError.unknownWord("riv3r")) { try PairingCode(parsing: "7-velvet-riv3r") }
    }

    @Test func codesFromEntropyUseAllWordsUniformly() throws {
        var rng = SeededRandom(seed: 21)
        var firstCounts = [Int](repeating: 0, count: 2048)
        var seen = Set<String>()
        for _ in 0..<4000 {
            let c = try PairingCode(nameplate: 3, entropy: rng.bytes(4))
            firstCounts[Self.wordIndex[c.words[0]] ?? 0] += 1
            seen.insert(c.description)
            #expect(try PairingCode(parsing: c.description) == c)
        }
        #expect(seen.count > 3990, "few collisions among 4k draws from 4M codes")
        #expect(firstCounts.filter { $0 > 0 }.count > 1700, "most words drawn (expected ~1733 of 2048)")
        #expect(throws: PairingCodeError.insufficientEntropy) { try PairingCode(nameplate: 1, entropy: [1, 2]) }
        let a = try PairingCode.generate(nameplate: 1), b = try PairingCode.generate(nameplate: 1)
        #expect(a.nameplate == 1 && b.words.count == 2)
    }
}
