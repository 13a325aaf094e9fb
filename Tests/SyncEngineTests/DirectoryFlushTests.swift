import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Pulled files whose directories the syncer makes durable in its next round
/// (``FileSyncer/submitDirectories(_:)``, the daemon's path): the engine never waits on a
/// directory fsync, and still commits the index only after data, rename and directory are
/// durable, so a power cut at any point leaves the index no further than the disk.
@Suite struct DirectoryFlushTests {
    static let names = ["a/x.txt", "a/y.txt", "b/z.bin", "top1", "top2"]
    static func content(_ i: Int) -> [UInt8] { Array(repeating: UInt8(i + 1), count: 1000 * (i + 1)) }

    func cluster(seed: UInt64) throws -> (Cluster, ManualFileSyncer, InMemoryFileSystem) {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let syncer = ManualFileSyncer(fs: fss[1], takesDirectories: true)
        let c = try Cluster(count: 2, seed: seed, fileSystems: fss, syncers: [1: syncer])
        try fss[0].writeFiles(Self.names, content: Self.content)
        c.scan(0)
        c.connectAll()
        c.run()
        // The data flushes finish: the files are renamed into place, their directories submitted.
        syncer.completeAll()
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        c.run()
        return (c, syncer, fss[1])
    }

    func indexed(_ c: Cluster) -> [String] { Self.names.filter { c.engines[1].localRecord(SyncPath($0)) != nil } }

    @Test func theIndexWaitsForTheDirectoriesAndNothingIsPulledTwice() throws {
        let (c, syncer, fs) = try cluster(seed: 51)
        #expect(Set(syncer.pendingDirectories) == ["a", "b", ""], "each directory once")
        for (i, n) in Self.names.enumerated() { #expect(try fs.readAll(n) == Self.content(i), "\(n) renamed into place") }
        #expect(indexed(c).isEmpty, "no index commit before the directories are durable")
        #expect(c.engines[1].isPulling && c.engines[1].hasNeeds())
        // The engine's own renames are known changes; a rescan meanwhile neither records nor pulls anything.
        for n in Self.names { #expect(c.engines[1].isKnownChange(SyncPath(n))) }
        // So are the directories applied for them, though the files pulled into them moved their
        // mtimes since (a watcher reporting them must not set off a rescan of the whole folder).
        for d in ["a", "b"] {
            #expect(try fs.info(d)?.kind == .directory)
            #expect(c.engines[1].isKnownChange(SyncPath(d)), "\(d) awaits its parent's flush")
        }
        let requests = c.framesSent[.request, default: 0]
        #expect(c.engines[1].scan(now: c.now).recorded == 0)
        c.collect()
        c.run()
        #expect(c.framesSent[.request, default: 0] == requests)
        #expect(syncer.submitted.count == Self.names.count)

        syncer.completeDirectories()
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        c.run()
        #expect(indexed(c) == Self.names)
        #expect(c.engines[1].needCount() == 0 && !c.engines[1].isPulling)
        #expect(c.allTreesEqual())
        fs.crash()
        for (i, n) in Self.names.enumerated() { #expect(try fs.readAll(n) == Self.content(i), "\(n) survives a power cut once indexed") }
    }

    @Test func aCrashBeforeTheDirectoriesAreDurableLeavesTheIndexBehindTheDisk() throws {
        let (c, syncer, fs) = try cluster(seed: 52)
        fs.crash()
        syncer.dropPending()
        #expect(indexed(c).isEmpty)
        for n in Self.names {
            if let data = try? fs.readAll(n) { #expect(data.isEmpty || Self.content(Self.names.firstIndex(of: n) ?? 0) == data, "\(n) is never torn") }
        }
        // Restarted, the engine converges: what survived is adopted, the rest pulled again.
        try c.restart(1)
        c.connectAll()
        c.scan(1)
        c.run()
        syncer.round(c, engine: 1)
        #expect(c.engines[1].needCount() == 0)
        #expect(c.allTreesEqual())
    }

    @Test func directoriesCreatedInOnePageFsyncTheirParentOnce() throws {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let c = try Cluster(count: 2, seed: 54, fileSystems: fss)
        try fss[0].makeDirectory("top", permissions: 0o755)
        for i in 0..<40 { try fss[0].makeDirectory("top/d\(i)", permissions: 0o755) }
        var dirSyncs: [String: Int] = [:]
        fss[1].faultHook = { op, path throws(FileSystemError) in if op == "fsync-dir" { dirSyncs[path, default: 0] += 1 } }
        c.scan(0)
        c.connectAll()
        c.run()
        #expect(c.allTreesEqual())
        #expect(c.engines[1].needCount() == 0)
        #expect(dirSyncs["top", default: 0] == 1, "40 directories created in top: top fsynced once, not per directory (\(dirSyncs))")
        // Durable before indexed: a power cut now keeps every directory the index holds.
        fss[1].crash()
        for i in 0..<40 { #expect(try fss[1].info("top/d\(i)")?.kind == .directory) }
    }

    @Test func aFailedDirectoryFlushLeavesItsFilesOutOfTheIndexUntilAScanAdoptsThem() throws {
        let (c, syncer, _) = try cluster(seed: 53)
        syncer.completeDirectories(failing: FileSystemError(code: FileSystemError.io, operation: "fsync-dir", path: "a"))
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        #expect(c.events[1].contains { if case .pullFailed = $0 { true } else { false } })
        #expect(indexed(c).isEmpty)
        #expect(!c.engines[1].isPulling)
        // The files are on disk with the global content: a scan adopts them without a new version.
        c.scan(1)
        c.run()
        #expect(indexed(c) == Self.names)
        for n in Self.names { #expect(c.engines[1].localRecord(SyncPath(n))?.version == c.engines[0].localRecord(SyncPath(n))?.version) }
        #expect(c.engines[1].needCount() == 0)
        #expect(c.allTreesEqual())
    }

    /// Directories (and symlinks) applied by the walk: their parents join the syncer's next
    /// round instead of being fsynced on the folder's thread; the index waits for the round, and
    /// a failed round leaves them out until a scan adopts them.
    @Test func appliedDirectoriesWaitForTheirParentsRoundAndAFailureKeepsThemOut() throws {
        for failing in [false, true] {
            let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
            let syncer = ManualFileSyncer(fs: fss[1], takesDirectories: true)
            let c = try Cluster(count: 2, seed: failing ? 56 : 55, fileSystems: fss, syncers: [1: syncer])
            try fss[0].makeDirectory("top", permissions: 0o755)
            for i in 0..<10 { try fss[0].makeDirectory("top/d\(i)", permissions: 0o755) }
            try fss[0].makeSymlink("top/link", target: "d0")
            var dirSyncs = 0
            fss[1].faultHook = { op, _ throws(FileSystemError) in if op == "fsync-dir" { dirSyncs += 1 } }
            c.scan(0)
            c.connectAll()
            c.run()
            #expect(dirSyncs == 0, "no directory fsync on the folder's thread")
            #expect(Set(syncer.pendingDirectories).isSuperset(of: ["", "top"]))
            #expect(c.engines[1].localRecord(SyncPath("top/d3")) == nil, "not indexed before its parent is durable")
            #expect(c.engines[1].isPulling)
            #expect(c.engines[1].scan(now: c.now).recorded == 0, "a rescan meanwhile records nothing")
            // Rounds complete until the walk is done (a parent first, then what was created in it).
            for _ in 0..<4 where !syncer.pendingDirectories.isEmpty {
                syncer.completeDirectories(failing: failing ? FileSystemError(code: FileSystemError.io, operation: "fsync-dir", path: "top") : nil)
                c.engines[1].collectSynced(now: c.now)
                c.collect()
                c.run()
            }
            if failing {
                #expect(c.events[1].contains { if case .pullFailed = $0 { true } else { false } })
                #expect(c.engines[1].localRecord(SyncPath("top/d3")) == nil, "a failed flush keeps them out of the index")
                fss[1].faultHook = nil
                c.scan(1)
                c.run()
            } else {
                #expect(dirSyncs > 0)
                fss[1].crash()
                for i in 0..<10 { #expect(try fss[1].info("top/d\(i)")?.kind == .directory, "durable before indexed") }
            }
            for i in 0..<10 { #expect(c.engines[1].localRecord(SyncPath("top/d\(i)"))?.version == c.engines[0].localRecord(SyncPath("top/d\(i)"))?.version) }
            #expect(c.engines[1].needCount() == 0 && !c.engines[1].isPulling)
        }
    }
}
