import Testing
import WireKit
@testable import SyncProtocol

/// Reused zstd contexts: chunks of different sizes and contents compressed and decompressed
/// from several tasks at once all round-trip byte for byte (a context keeps no state from one
/// chunk into the next), and only a bounded number of idle contexts is kept.
@Suite struct ZstdContextsTests {
    @Test func reusedContextsRoundTripFromManyTasksAndStayBounded() async throws {
        let results = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<6 {
                group.addTask {
                    var rng = SeededRandom(seed: UInt64(100 + task))
                    for i in 0..<40 {
                        // Text-like data of a few hundred bytes to 64 KiB: 32 distinct byte values.
                        let size = 200 + Int(rng.next() % UInt64(64 << 10))
                        let data = rng.bytes(size).map { 0x41 + ($0 & 0x1f) }
                        guard let packed = ChunkCompression.compressIfWorthwhile(data),
                              let back = try? ChunkCompression.decompress(packed, announcedSize: data.count),
                              back == data else { return false }
                        // A frame announced with the wrong size still fails on a reused context,
                        // and the context works for the next chunk.
                        if i % 10 == 0, (try? ChunkCompression.decompress(packed, announcedSize: data.count - 1)) != nil { return false }
                    }
                    return true
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 6))
        for pool in [ZstdContexts.compression, ZstdContexts.decompression] {
            #expect(pool.idleCount <= ZstdContexts.keep)
            #expect(pool.idleCount >= 1, "contexts are kept for reuse")
        }
    }
}
