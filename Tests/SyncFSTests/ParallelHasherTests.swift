import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

/// Large files split over threads give exactly the chunks of one sequential pass.
@Suite struct ParallelHasherTests {
    let chunker = Chunker(minSize: 1024, averageSize: 4096, maxSize: 16_384, readSize: 64 << 10)

    func hasher(_ fs: any FileSystem, threads: Int) -> ParallelHasher {
        var h = ParallelHasher(fs: fs, chunker: chunker, threads: threads)
        h.splitMinimum = 256 << 10
        h.splitOverlap = 64 << 10
        return h
    }

    @Test(arguments: [UInt64(31), 32])
    func splitFilesJoinToTheSequentialChunks(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let big = rng.bytes(3 << 20 + 12_345), small = rng.bytes(100_000)
        try fs.writeAll("big", big)
        try fs.writeAll("small", small)
        let jobs: [(path: String, size: UInt64)] = [("small", UInt64(small.count)), ("big", UInt64(big.count))]
        for threads in [2, 3] {
            let h = hasher(fs, threads: threads)
            #expect(h.pieces(jobs).count > 2, "seed \(seed): the big file is split")
            let results = h.hash(jobs)
            #expect(try results[0].get() == chunker.chunks(of: small), "seed \(seed), \(threads) threads")
            #expect(try results[1].get() == chunker.chunks(of: big), "seed \(seed), \(threads) threads")
        }
    }

    @Test func withoutASharedCutTheRestIsChunkedSequentially() throws {
        // Constant content: every piece cuts at max-size steps from its own start, so pieces
        // starting off that grid never meet the file's cuts.
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let data = [UInt8](repeating: 7, count: 2 << 20 + 5_000)
        try fs.writeAll("flat", data)
        let sequential = chunker.chunks(of: data)
        let h = hasher(fs, threads: 2)
        let step = UInt64(sequential[0].size)
        #expect(sequential.dropLast().allSatisfy { UInt64($0.size) == step })
        #expect(h.pieces([("flat", UInt64(data.count))]).contains { $0.start % step != 0 }, "a piece starts off the cut grid")
        let results = h.hash([("flat", UInt64(data.count))])
        #expect(try results[0].get() == sequential)
    }

    @Test func balancedBatchesAreNotSplit() {
        let h = hasher(InMemoryFileSystem(), threads: 2)   // pieces() only plans; nothing is read
        #expect(h.pieces([("a", 4 << 20), ("b", 4 << 20)]).count == 2)
        #expect(h.pieces([("a", 4 << 20)]).count > 1)
        #expect(ParallelHasher(fs: InMemoryFileSystem(), chunker: chunker, threads: 1).pieces([("a", 1 << 30)]).count == 1)
    }
}
