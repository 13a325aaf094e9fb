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
