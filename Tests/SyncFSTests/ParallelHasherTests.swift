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

    @Test(arguments: [UInt64(41), 42])
    func smallFilesHashedInPairsGiveTheirOwnChunks(seed: UInt64) throws {
        // Sizes around the read-whole limit (maxSize) and the chunk sizes, an empty file, and a
        // count that leaves one file waiting for a pair at the end of a thread's work.
        var rng = SeededRandom(seed: seed)
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let sizes = [0, 1, 1023, 1024, 4096, 16_383, 16_384, 16_385, 40_000, 70_000] + (0..<21).map { _ in Int(rng.next() % 16_400) }
        var jobs: [(path: String, size: UInt64)] = []
        var contents: [[UInt8]] = []
        for (i, size) in sizes.enumerated() {
            let data = rng.bytes(size)
            try fs.writeAll("f\(i)", data)
            jobs.append(("f\(i)", UInt64(size)))
            contents.append(data)
        }
        for threads in [1, 2, 3] {
            let results = hasher(fs, threads: threads).hash(jobs)
            for (i, data) in contents.enumerated() {
                #expect(try results[i].get() == chunker.chunks(of: data), "seed \(seed), \(threads) threads, file \(i) of \(data.count) B")
            }
        }
    }

    @Test func smallFilesThatChangedSinceTheWalkAreHashedAsTheyAreNow() throws {
        var rng = SeededRandom(seed: 43)
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let grown = rng.bytes(50_000), shrunk = rng.bytes(3_000), other = rng.bytes(9_000)
        try fs.writeAll("grown", grown)
        try fs.writeAll("shrunk", shrunk)
        try fs.writeAll("other", other)
        // The sizes the walk saw: "grown" was small (it is now past maxSize), "shrunk" was larger.
        let jobs: [(path: String, size: UInt64)] = [("grown", 10_000), ("shrunk", 6_000), ("gone", 100), ("other", 9_000)]
        for threads in [1, 2] {
            let results = hasher(fs, threads: threads).hash(jobs)
            #expect(try results[0].get() == chunker.chunks(of: grown), "\(threads) threads")
            #expect(try results[1].get() == chunker.chunks(of: shrunk), "\(threads) threads")
            #expect(throws: FileSystemError.self) { try results[2].get() }
            #expect(try results[3].get() == chunker.chunks(of: other), "\(threads) threads")
        }
    }

    @Test func twoBuffersChunkAsEachAlone() {
        var rng = SeededRandom(seed: 44)
        for (x, y) in [(0, 0), (0, 5_000), (20_000, 0), (16_384, 16_385), (100_000, 37_000), (1, 70_001)] {
            let a = rng.bytes(x), b = rng.bytes(y)
            let (ca, cb) = a.withUnsafeBytes { pa in b.withUnsafeBytes { chunker.chunks(of: pa, $0) } }
            #expect(ca == chunker.chunks(of: a), "\(x) and \(y) bytes")
            #expect(cb == chunker.chunks(of: b), "\(x) and \(y) bytes")
        }
    }

    @Test func balancedBatchesAreNotSplit() {
        let h = hasher(InMemoryFileSystem(), threads: 2)   // pieces() only plans; nothing is read
        #expect(h.pieces([("a", 4 << 20), ("b", 4 << 20)]).count == 2)
        #expect(h.pieces([("a", 4 << 20)]).count > 1)
        #expect(ParallelHasher(fs: InMemoryFileSystem(), chunker: chunker, threads: 1).pieces([("a", 1 << 30)]).count == 1)
    }
}
