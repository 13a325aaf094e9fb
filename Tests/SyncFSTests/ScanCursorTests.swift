import Testing
import WireKit
import SyncProtocol
import SyncFS

@Suite struct ScanCursorTests {
    /// Large files wait for the end of the walk: the first batches hold the directories and the
    /// small files, a bounded number at a time, and every file comes out hashed exactly once.
    @Test func batchesAreBoundedAndLargeFilesComeLast() throws {
        let fs = InMemoryFileSystem()
        var rng = SeededRandom(seed: 3)
        try fs.makeDirectories("a")
        try fs.makeDirectories("b")
        try fs.writeAll("a/big.bin", rng.bytes(300_000))
        for i in 0..<10 { try fs.writeAll("b/f\(i)", rng.bytes(1_000 + i)) }
        var scanner = Scanner(fs: fs, hashThreads: 1)
        scanner.deferredFileSize = 100_000
        var cursor = ScanCursor(scanner: scanner)
        var batches: [[String]] = []
        while let batch = cursor.nextBatch(maxFiles: 4, maxBytes: 1 << 20, known: { _ in nil }) {
            batches.append(batch.map(\.path.string))
            for e in batch where e.state.kind == .file {
                let hashed: UInt64 = (e.chunks ?? []).reduce(0) { $0 + UInt64($1.size) }
                #expect(hashed == e.state.size)
            }
        }
        #expect(cursor.isDone)
        #expect(batches.first == ["a", "b", "b/f0", "b/f1", "b/f2", "b/f3"])
        #expect(batches.flatMap { $0 }.last == "a/big.bin")
        #expect(batches.flatMap { $0 }.count == 13)
        let smallBytes: UInt64 = 10 * 1_000 + 45
        #expect(cursor.result.hashedBytes == 300_000 + smallBytes)
    }

    /// A file that changes every time it is read is given up after ``ScanCursor/maxRereads``
    /// more reads, with an error, and never reported with the content of one of those reads.
    @Test func fileThatKeepsChangingIsLeftOut() throws {
        let fs = InMemoryFileSystem()
        try fs.writeAll("busy.log", Array(repeating: 1, count: 5_000))
        try fs.writeAll("calm.txt", Array("calm".utf8))
        var writes = 0
        fs.closeHook = { path in
            guard path == "busy.log" else { return }
            writes += 1
            try? fs.writeAll(path, Array(repeating: UInt8(writes), count: 5_000 + writes))
        }
        var cursor = ScanCursor(scanner: Scanner(fs: fs, hashThreads: 1))
        var found: [String] = []
        while let batch = cursor.nextBatch(maxFiles: 8, maxBytes: 1 << 20, known: { _ in nil }) { found += batch.map(\.path.string) }
        #expect(found == ["calm.txt"])
        #expect(writes == 1 + ScanCursor.maxRereads)
        #expect(cursor.result.errors.map(\.path) == ["busy.log"])
    }

    /// A batch walked, hashed apart and handed back: its bounds hold (the memory handed to a
    /// hashing thread), a path named to walk again is left out and comes back in a later batch,
    /// and every file is reported once, hashed.
    @Test func walkedBatchesAreBoundedAndPathsWalkAgainComeBack() throws {
        let fs = InMemoryFileSystem()
        var rng = SeededRandom(seed: 4)
        for i in 0..<40 { try fs.writeAll("f\(i)", rng.bytes(10_000 + i)) }
        var cursor = ScanCursor(scanner: Scanner(fs: fs, hashThreads: 2))
        var found: [String] = []
        var again: Set<SyncPath> = [SyncPath("f12")]
        while var batch = cursor.walk(maxFiles: 8, maxBytes: 50_000, known: { _ in nil }) {
            #expect(batch.filesToHash <= 8)
            #expect(batch.hashBytes < 50_000 + 10_040)
            #expect(!batch.canHashElsewhere)   // the in-memory file system is read from one thread
            batch.hash()
            #expect(batch.filesToHash == 0)
            let entries = cursor.finish(batch, walkAgain: again)
            if batch.paths.contains(SyncPath("f12")) && !again.isEmpty {
                #expect(!entries.map(\.path).contains(SyncPath("f12")))
                again = []
            }
            for e in entries { #expect(e.chunks?.reduce(0) { $0 + UInt64($1.size) } == e.state.size) }
            found += entries.map(\.path.string)
        }
        #expect(again.isEmpty)
        #expect(found.sorted() == (0..<40).map { "f\($0)" }.sorted())
        #expect(found.last == "f12")
        #expect(cursor.result.errors.isEmpty)
    }

    /// A walk looks at no more than `maxEntries` names, unchanged ones included (a rescan of an
    /// unchanged folder comes in short steps), and still reaches the end and finds the one
    /// new file.
    @Test func walkLooksAtABoundedNumberOfNames() throws {
        let fs = InMemoryFileSystem()
        try fs.makeDirectories("d")
        for i in 0..<30 { try fs.writeAll("d/f\(i)", [UInt8(i)]) }
        let scanner = Scanner(fs: fs, hashThreads: 1)
        // Everything known as it is on disk, but d/f3.
        let known = { (p: SyncPath) in p == SyncPath("d/f3") ? nil : (try? fs.info(p.string))?.flatMap { LocalFileState($0) } }
        var cursor = ScanCursor(scanner: scanner)
        var steps = 0
        var lastUnchanged = 0
        var recorded: [SyncPath] = []
        while var batch = cursor.walk(maxFiles: 100, maxBytes: 1 << 20, maxEntries: 7, known: known) {
            steps += 1
            #expect(cursor.result.unchanged - lastUnchanged + batch.paths.count <= 7)
            lastUnchanged = cursor.result.unchanged
            batch.hash()
            recorded += cursor.finish(batch).map(\.path)
        }
        #expect(steps >= 31 / 7)
        #expect(cursor.result.unchanged == 30)   // 31 names, d/f3 new
        #expect(recorded == [SyncPath("d/f3")])
        #expect(cursor.isDone)
    }
}
