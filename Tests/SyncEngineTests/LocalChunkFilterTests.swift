import Testing
import WireKit
import SyncFS
import SyncProtocol
@testable import SyncEngine

/// The Bloom filter in front of the local-chunk lookup (``LocalChunkFilter``): it never says
/// "not here" for a chunk a local file holds (built from the store, then added to by every local
/// commit), rarely says "maybe" for one no file holds, and stays within its memory bound.
@Suite struct LocalChunkFilterTests {
    func randomHash(_ rng: inout SeededRandom) -> ContentHash { ContentHash(bytes: rng.bytes(32))! }

    @Test func holdsEveryHashAndRarelyAnyOther() {
        var rng = SeededRandom(seed: 5)
        var f = LocalChunkFilter(capacity: 20_000)
        let inserted = (0..<20_000).map { _ in randomHash(&rng) }
        for h in inserted { f.insert(h) }
        #expect(inserted.allSatisfy { f.mayContain($0) }, "no false negative")
        #expect(!f.isOverfull)
        let falsePositives = (0..<100_000).filter { _ in f.mayContain(randomHash(&rng)) }.count
        #expect(falsePositives < 2_000, "under 2 % false positives at capacity: \(falsePositives) in 100000")
        f.insert(randomHash(&rng))
        for _ in 0..<f.capacity { f.insert(randomHash(&rng)) }
        #expect(f.isOverfull, "past its capacity it asks to be built again, larger")
    }

    @Test func itsSizeIsBounded() {
        #expect(LocalChunkFilter(capacity: 0).bytes == 16 << 10, "an empty folder's filter: 16 KiB")
        #expect(LocalChunkFilter(capacity: 1_000_000).bytes == 2 << 20, "a million hashes: 2 MiB, 16 bits each")
        let huge = LocalChunkFilter(capacity: 50_000_000)
        #expect(huge.bytes == 2 << 20 && huge.capacity == Int.max, "capped, and never rebuilt past the cap")
    }

    /// Chunks held locally are copied, not requested: those found when the filter is built from
    /// the store, those of a file pulled afterwards, and those of a file a later scan recorded.
    @Test func localChunksAreStillCopiedInsteadOfRequested() throws {
        let c = try Cluster(count: 2, seed: 31)
        let a = Array(repeating: UInt8(1), count: 5000), b = Array(repeating: UInt8(2), count: 6000)
        let d = Array(repeating: UInt8(3), count: 7000)
        try c.fss[1].writeAll("mine", a)
        c.scan(1)
        try c.fss[0].writeAll("same-as-mine", a)
        try c.fss[0].writeAll("new", b)
        c.connectAll()
        #expect(c.converge() <= 12)
        #expect(c.framesSent[.request, default: 0] == 1, "only the new content is requested")
        #expect(try c.fss[1].readAll("same-as-mine") == a && c.fss[1].readAll("new") == b)
        #expect(c.engines[1].chunkFilter != nil, "built by the first pull")

        // A copy of what was just pulled, and of what a scan just recorded: both local.
        try c.fss[1].writeAll("scanned", d)
        c.scan(1)
        try c.fss[0].writeAll("copy-of-new", b)
        try c.fss[0].writeAll("copy-of-scanned", d)
        #expect(c.converge() <= 12)
        #expect(c.framesSent[.request, default: 0] == 1, "nothing more requested")
        #expect(try c.fss[1].readAll("copy-of-new") == b && c.fss[1].readAll("copy-of-scanned") == d)
        #expect(c.allTreesEqual())
    }
}
