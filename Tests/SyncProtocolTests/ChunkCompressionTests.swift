import Testing
import WireKit
@testable import SyncProtocol

/// The histogram check in front of zstd: random bytes are sent raw without trying zstd, at any
/// chunk size; text, sparse data and a chunk whose middle compresses are still compressed.
@Suite struct ChunkCompressionTests {
    @Test(arguments: [128, 1_000, 2_048, 5_000, 16_384, 65_536])
    func randomBytesLookIncompressibleAndGoRaw(size: Int) {
        var rng = SeededRandom(seed: UInt64(size))
        let random = rng.bytes(size)
        #expect(ChunkCompression.looksIncompressible(random))
        #expect(ChunkCompression.compressIfWorthwhile(random) == nil)
    }

    @Test func textAndSparseDataAreStillCompressed() throws {
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 200).utf8)
        #expect(!ChunkCompression.looksIncompressible(text))
        let packed = try #require(ChunkCompression.compressIfWorthwhile(text))
        #expect(try ChunkCompression.decompress(packed, announcedSize: text.count) == text)

        // Bytes drawn from 64 values: 6 bits of entropy each, compressible by order-0 coding alone.
        var rng = SeededRandom(seed: 9)
        let narrow = rng.bytes(8_192).map { $0 & 0x3f }
        #expect(!ChunkCompression.looksIncompressible(narrow))
        #expect(ChunkCompression.compressIfWorthwhile(narrow) != nil)
    }

    @Test func aRandomStartWithACompressibleMiddleIsTried() throws {
        var rng = SeededRandom(seed: 11)
        let data = rng.bytes(2_048) + [UInt8](repeating: 7, count: 6_144)
        #expect(!ChunkCompression.looksIncompressible(data), "the middle sample is flat zeros")
        let packed = try #require(ChunkCompression.compressIfWorthwhile(data))
        #expect(try ChunkCompression.decompress(packed, announcedSize: data.count) == data)
    }
}

/// The running pair count of ``ChunkCompression/isFlat(_:_:)`` against Σ c·(c−1) over a plain
/// byte histogram, on samples from flat to narrow and at offsets within the data.
@Suite struct ChunkCompressionFlatnessTests {
    static func isFlatByHistogram(_ data: [UInt8], _ range: Range<Int>) -> Bool {
        var counts = [Int](repeating: 0, count: 256)
        for i in range { counts[Int(data[i])] += 1 }
        let pairs = counts.reduce(0) { $0 + $1 * ($1 - 1) }
        return pairs * ChunkCompression.incompressibleCollisionInverse <= range.count * (range.count - 1)
    }

    @Test(arguments: [0xff, 0xfe, 0xfc, 0xf0, 0x3f, 0x01] as [UInt8])
    func runningPairCountAgreesWithTheHistogram(mask: UInt8) {
        var rng = SeededRandom(seed: UInt64(mask))
        let data = rng.bytes(3_000).map { $0 & mask }
        for range in [0..<1_024, 1_000..<2_024, 5..<6, 0..<2, 2_999..<3_000, 100..<100] {
            let flat = data.withUnsafeBytes { ChunkCompression.isFlat($0, range) }
            #expect(flat == (range.count < 2 || Self.isFlatByHistogram(data, range)), "mask \(mask), range \(range)")
        }
    }
}
