import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Pulled files of one chunk (most small files) create no temp file on the folder's thread:
/// their verified content goes to the syncer, which creates, writes and flushes the temp file
/// (``FileSyncer/submitWrite(_:)``, the daemon's path); the engine renames it and commits the
/// index afterwards as for any pulled file. Nothing is placed unverified or before it is
/// durable, a failed write leaves no temp file and is retried, and a local edit made meanwhile
/// is never overwritten.
@Suite struct DeferredWriteTests {
    static let small = ["a/one.txt", "a/two.txt", "b/three.bin", "top"]
    static func content(_ i: Int) -> [UInt8] { Array(repeating: UInt8(i + 1), count: 3000 * (i + 1)) }
    /// A file of several chunks (over the 256 KiB chunk maximum): pulled through a temp file as before.
    static let large = "b/large.bin"
    static let largeContent: [UInt8] = { var rng = SeededRandom(seed: 77); return rng.bytes(700_000) }()

    func cluster(seed: UInt64, acceptsWrites: Bool = true) throws -> (Cluster, ManualFileSyncer, InMemoryFileSystem) {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let syncer = ManualFileSyncer(fs: fss[1], takesDirectories: true, writesFiles: true)
        syncer.acceptsWrites = acceptsWrites
        let c = try Cluster(count: 2, seed: seed, fileSystems: fss, syncers: [1: syncer])
        for (i, n) in Self.small.enumerated() {
            if let dir = SyncPath(n).parent, try fss[0].info(dir.string) == nil { try fss[0].makeDirectory(dir.string, permissions: 0o755) }
            try fss[0].writeAll(n, Self.content(i))
        }
        try fss[0].writeAll(Self.large, Self.largeContent)
        try fss[0].setPermissions("top", 0o640)
        c.scan(0)
        c.connectAll()
        c.run()
        return (c, syncer, fss[1])
    }

    /// Temp files in the folder (top level, `a` and `b`).
    func temps(_ fs: InMemoryFileSystem) -> [String] {
        ["", "a", "b"].flatMap { d in ((try? fs.list(d)) ?? []).filter { $0.hasPrefix(PathPolicy.tempPrefix) }.map { d.isEmpty ? $0 : d + "/" + $0 } }
    }

    /// Runs the syncer's writes, flushes and directory rounds until the engine is done.
    func finish(_ c: Cluster, _ syncer: ManualFileSyncer) {
        for _ in 0..<6 { syncer.round(c, engine: 1) }
    }

    func indexed(_ c: Cluster, _ path: String) -> Bool { c.engines[1].localRecord(SyncPath(path)) != nil }

    @Test func oneChunkFilesAreWrittenByTheSyncerAndNothingIsCreatedBefore() throws {
        let (c, syncer, fs) = try cluster(seed: 61)
        // Every chunk arrived: the small files wait, verified, for the syncer to write them;
        // only the large file has a temp file (filled on the folder's thread).
        #expect(Set(syncer.pendingWrites.map(\.path)) == Set(Self.small.map { AtomicWriter.tempPath(for: SyncPath($0), contentHash: c.engines[0].localRecord(SyncPath($0))!.contentHash) }))
        #expect(temps(fs).count == 1 && temps(fs).first?.hasPrefix("b/") == true, "only the large file's temp file: \(temps(fs))")
        #expect(syncer.submitted.count == 1, "the large file is flushed as before")
        for n in Self.small { #expect(try fs.info(n) == nil); #expect(!indexed(c, n)) }
        let write = try #require(syncer.pendingWrites.first { $0.path.hasPrefix(PathPolicy.tempPrefix) })
        #expect(write.permissions == 0o640 && Array(write.data) == Self.content(3), "mode and content travel with the write")

        // Written, not yet durable: nothing at the final names, nothing indexed.
        syncer.completeWrites()
        c.engines[1].collectSynced(now: c.now)
        for n in Self.small { #expect(try fs.info(n) == nil); #expect(!indexed(c, n)) }
        finish(c, syncer)
        for (i, n) in Self.small.enumerated() { #expect(try fs.readAll(n) == Self.content(i)); #expect(indexed(c, n)) }
        #expect(try fs.readAll(Self.large, limit: 1 << 22) == Self.largeContent)
        #expect(try fs.info("top")?.permissions == 0o640)
        #expect(temps(fs).isEmpty)
        #expect(c.engines[1].needCount() == 0 && !c.engines[1].isPulling)
        #expect(c.allTreesEqual())
        // Indexed means durable: a power cut keeps every file the index holds.
        fs.crash()
        for (i, n) in Self.small.enumerated() { #expect(try fs.readAll(n) == Self.content(i), "\(n) survives a power cut once indexed") }
    }

    @Test func aSyncerThatRefusesLeavesTheWriteToTheEngine() throws {
        let (c, syncer, fs) = try cluster(seed: 62, acceptsWrites: false)
        #expect(syncer.pendingWrites.isEmpty)
        #expect(syncer.submitted.count == Self.small.count + 1, "every file written on the folder's thread, then flushed")
        finish(c, syncer)
        for (i, n) in Self.small.enumerated() { #expect(try fs.readAll(n) == Self.content(i)) }
        #expect(temps(fs).isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func aFailedWriteLeavesNoTempFileAndIsRetried() throws {
        let (c, syncer, fs) = try cluster(seed: 63)
        // The disk is full for writes into the temp file of a/two.txt.
        fs.faultHook = { op, path throws(FileSystemError) in
            if op == "write" && path.contains("two.txt") { throw FileSystemError(code: 28, operation: "pwrite", path: path) }
        }
        syncer.completeWrites()
        #expect(temps(fs).filter { $0.contains("two.txt") }.isEmpty, "the half-made temp file is removed")
        finish(c, syncer)
        #expect(c.events[1].contains { if case .pullFailed(let p, _) = $0 { p.string == "a/two.txt" } else { false } })
        #expect(try fs.info("a/two.txt") == nil && !indexed(c, "a/two.txt"))
        #expect(indexed(c, "a/one.txt") && indexed(c, "top"), "the other files are placed")
        #expect(temps(fs).isEmpty)
        // Space returns; the retry after the backoff pulls it again.
        fs.faultHook = nil
        let retry = try #require(c.engines[1].pollTimeout(), "no retry scheduled")
        c.now = max(c.now, retry)
        for e in c.engines { e.handle(timeout: c.now) }
        c.run()
        finish(c, syncer)
        #expect(try fs.readAll("a/two.txt") == Self.content(1))
        #expect(c.engines[1].needCount() == 0 && !c.engines[1].isPulling)
        #expect(c.allTreesEqual())
    }

    /// The pulled file's directory is replaced by a symlink before the syncer writes into it:
    /// the write is refused (nothing lands where the link points) and the log says why.
    @Test func aParentTurnedSymlinkIsRefusedAndSaysSo() throws {
        let (c, syncer, fs) = try cluster(seed: 66)
        try fs.remove("a")   // empty: its files are not written yet
        try fs.makeSymlink("a", target: "b")
        finish(c, syncer)
        let reasons: [String] = c.events[1].compactMap { if case .pullFailed(let p, let r) = $0, p.string.hasPrefix("a/") { r } else { nil } }
        #expect(reasons.contains { $0.contains("is a symlink; PeerSync never writes through one") }, "\(reasons)")
        #expect(try fs.list("b").allSatisfy { !$0.hasPrefix("one") && !$0.hasPrefix("two") && !$0.hasPrefix(PathPolicy.tempPrefix) })
        #expect(!indexed(c, "a/one.txt") && indexed(c, "b/three.bin"))
    }

    /// The user creates the file while its pulled content waits to be written: the flush ends,
    /// the rename does not happen, the temp file goes, and the user's file is kept (a scan then
    /// records it and the version vectors decide: a conflict copy, never a lost edit).
    @Test func aLocalFileMadeWhileTheWriteWaitsIsNeverOverwritten() throws {
        let (c, syncer, fs) = try cluster(seed: 64)
        let mine: [UInt8] = Array("the user's own words".utf8)
        try fs.writeAll("a/one.txt", mine)
        finish(c, syncer)
        #expect(try fs.readAll("a/one.txt") == mine, "the local file is not overwritten")
        #expect(temps(fs).isEmpty, "the unplaced temp file is removed")
        #expect(indexed(c, "a/two.txt"))
        c.scan(1)
        c.run()
        finish(c, syncer)
        _ = c.converge()
        finish(c, syncer)
        // Both versions exist on the receiver: the user's edit at the path or in a conflict copy.
        let names = try fs.list("a")
        let kept = try names.contains { try fs.readAll("a/" + $0) == mine }
        let theirs = try names.contains { try fs.readAll("a/" + $0) == Self.content(0) }
        #expect(kept, "the user's edit survives (\(names))")
        #expect(theirs || names.contains { ConflictNaming.isCopy($0, of: "one.txt") }, "the conflict is kept: \(names)")
        #expect(temps(fs).isEmpty)
    }

    /// A path the index holds nothing at is renamed to only while nothing is there (the rename
    /// itself refuses a taken path, no look first): a directory or a symlink the user made there
    /// while the pull was written stays, and the pulled content is not placed over it.
    @Test func aDirectoryOrSymlinkMadeWhileTheWriteWaitsIsNeverReplaced() throws {
        let (c, syncer, fs) = try cluster(seed: 66)
        try fs.makeDirectory("a/one.txt", permissions: 0o755)
        try fs.writeAll("a/one.txt/inside", [5])
        try fs.makeSymlink("b/three.bin", target: "somewhere")
        finish(c, syncer)
        #expect(try fs.info("a/one.txt")?.kind == .directory && fs.readAll("a/one.txt/inside") == [5])
        #expect(try fs.info("b/three.bin")?.symlinkTarget == "somewhere")
        #expect(!indexed(c, "a/one.txt") && !indexed(c, "b/three.bin"), "nothing recorded for what was not placed")
        #expect(indexed(c, "a/two.txt") && indexed(c, "top"), "the others are placed")
        #expect(temps(fs).isEmpty, "the unplaced temp files are removed")
    }

    /// A power cut after the writes but before their flush: nothing half written at a final
    /// name, nothing indexed; restarted, the engine converges.
    @Test func aCrashBeforeTheFlushLeavesNothingHalfWritten() throws {
        let (c, syncer, fs) = try cluster(seed: 65)
        syncer.completeWrites()
        fs.crash()
        syncer.dropPending()
        for n in Self.small { #expect(try fs.info(n) == nil); #expect(!indexed(c, n)) }
        try c.restart(1)
        c.connectAll()
        c.scan(1)
        c.run()
        finish(c, syncer)
        for (i, n) in Self.small.enumerated() { #expect(try fs.readAll(n) == Self.content(i)) }
        #expect(c.engines[1].needCount() == 0)
        #expect(c.allTreesEqual())
    }
}
