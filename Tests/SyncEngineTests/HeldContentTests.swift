import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// A rename whose deletion reaches the receiver before its new name (the sender's scan saw the
/// old name gone but not yet the new one, so they come in separate index updates) costs no
/// transfer: the deleted file's content is held in `.peersync/held/` a while and reused.
@Suite struct HeldContentTests {
    static let held = PathPolicy.stateDirectoryName + "/held"

    /// Two synced engines (on `backing`) holding `count` random files `f<i>.bin` of `size` bytes; returns their contents.
    func synced(_ backing: FolderBacking, seed: UInt64, count: Int, size: Int, folders: TempFolders,
                versioning: Bool = false) throws -> (Cluster, [[UInt8]]) {
        let c = try Cluster(count: 2, seed: seed, fileSystems: backing == .disk ? folders.fileSystems : nil) { _, config in
            config.versioning = versioning
        }
        c.connectAll()
        var rng = SeededRandom(seed: seed &* 31)
        let contents = (0..<count).map { _ in rng.bytes(size) }
        for (i, data) in contents.enumerated() { try c.fss[0].writeAll("f\(i).bin", data) }
        c.converge()
        #expect(c.allTreesEqual())
        return (c, contents)
    }

    func heldFiles(_ c: Cluster, _ i: Int) throws -> [String] {
        try c.fss[i].info(Self.held) == nil ? [] : c.fss[i].list(Self.held)
    }

    /// Chunk traffic so far: request frames and response bytes.
    func traffic(_ c: Cluster) -> [Int] { [c.framesSent[.request, default: 0], c.bytesSent[.response, default: 0]] }

    /// Runs the hold time out on every engine.
    func expireHolds(_ c: Cluster) {
        c.now = c.now + .seconds(61)
        for e in c.engines { e.handle(timeout: c.now) }
        c.collect()
    }

    @Test(arguments: FolderBacking.allCases)
    func renamesInAnyOrderOfIndexArrivalRequestNoChunk(_ backing: FolderBacking) throws {
        let folders = TempFolders(count: 2)
        // 40 files, 20 renamed: the deletions stay under the mass-deletion guard's share.
        let (c, contents) = try synced(backing, seed: 81, count: 40, size: 300_000, folders: folders)
        let before = traffic(c)
        #expect(before[0] > 0)
        var rng = SeededRandom(seed: 82)
        let deletionFirst = (0..<20).map { _ in rng.next() % 2 == 0 }
        #expect(deletionFirst.contains(true) && deletionFirst.contains(false))
        // First index update: the deletion of some old names and the new name of the others;
        // the second update, the rest (as a scan racing with the renames announces them).
        for phase in [true, false] {
            for i in 0..<20 {
                if deletionFirst[i] == phase { try c.fss[0].remove("f\(i).bin") } else { try c.fss[0].writeAll("r\(i).bin", contents[i]) }
            }
            c.scan(0); c.run()
            if phase { #expect(try heldFiles(c, 1).count == deletionFirst.count { $0 }, "each old name deleted first is held") }
        }
        c.converge()
        #expect(c.allTreesEqual())
        for i in 0..<20 {
            #expect(try c.fss[1].info("f\(i).bin") == nil, "old name gone")
            #expect(try c.fss[1].readAll("r\(i).bin", limit: 1 << 20) == contents[i])
        }
        #expect(traffic(c) == before, "no chunk requested, no chunk byte sent")
        // The held content is removed once the hold time is over; nothing else changes.
        #expect(c.engines[1].pollTimeout() != nil)
        expireHolds(c)
        #expect(try heldFiles(c, 1).isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func renameWithEditFetchesOnlyTheChangedChunks() throws {
        let folders = TempFolders(count: 2)
        let (c, contents) = try synced(.memory, seed: 83, count: 1, size: 2 << 20, folders: folders)
        let before = traffic(c)
        try c.fss[0].remove("f0.bin")
        c.scan(0); c.run()
        var edited = contents[0]
        edited.insert(contentsOf: [UInt8](repeating: 7, count: 1000), at: 1 << 20)
        try c.fss[0].writeAll("r0.bin", edited)
        c.converge()
        #expect(c.allTreesEqual())
        #expect(try c.fss[1].info("f0.bin") == nil)
        let after = traffic(c)
        #expect(after[0] - before[0] >= 1, "the edited chunk is fetched")
        #expect(after[1] - before[1] < 600_000, "only around the edit, not the 2 MiB file")
    }

    @Test func anOldCopyChangedLocallyIsNeitherDeletedNorReused() throws {
        let folders = TempFolders(count: 2)
        let (c, contents) = try synced(.memory, seed: 84, count: 1, size: 300_000, folders: folders)
        let before = traffic(c)
        try c.fss[1].writeAll("f0.bin", Array("mine".utf8))   // not scanned yet when the deletion comes
        try c.fss[0].remove("f0.bin")
        c.scan(0); c.run()
        #expect(try c.fss[1].readAll("f0.bin", limit: 100) == Array("mine".utf8), "a local change is never deleted")
        #expect(try heldFiles(c, 1).isEmpty)
        try c.fss[0].writeAll("r0.bin", contents[0])
        c.scan(0); c.run()
        #expect(try c.fss[1].readAll("r0.bin", limit: 1 << 20) == contents[0], "fetched: no copy of it is left here")
        #expect(traffic(c)[0] > before[0])
        #expect(try c.fss[1].readAll("f0.bin", limit: 100) == Array("mine".utf8))
    }

    @Test func aDeletionWithNoRenameIsCompleteOnceTheHoldEnds() throws {
        let folders = TempFolders(count: 2)
        let (c, _) = try synced(.memory, seed: 85, count: 3, size: 10_000, folders: folders)
        try c.fss[0].remove("f1.bin")
        c.converge()
        #expect(c.allTreesEqual(), "the path is gone at once")
        #expect(try heldFiles(c, 1).count == 1)
        expireHolds(c)
        #expect(try heldFiles(c, 1).isEmpty)
        #expect(c.engines[1].localRecords.filter { $0.deleted }.map(\.path) == [SyncPath("f1.bin")])
    }

    @Test func heldFilesLeftByACrashAreRemovedAtTheNextPullPass() throws {
        let folders = TempFolders(count: 2)
        let (c, contents) = try synced(.memory, seed: 86, count: 2, size: 10_000, folders: folders)
        try c.fss[0].remove("f0.bin")
        c.scan(0); c.run()
        #expect(try heldFiles(c, 1).count == 1)
        try c.restart(1)   // a crash within the hold time
        c.connectAll()
        c.converge()
        #expect(try heldFiles(c, 1).isEmpty)
        #expect(c.allTreesEqual())
        #expect(try c.fss[1].readAll("f1.bin", limit: 1 << 20) == contents[1])
    }

    @Test func underVersioningARenameIsServedFromTheKeptVersion() throws {
        let folders = TempFolders(count: 2)
        let (c, contents) = try synced(.memory, seed: 87, count: 4, size: 300_000, folders: folders, versioning: true)
        let before = traffic(c)
        try c.fss[0].remove("f0.bin")
        c.scan(0); c.run()
        #expect(try c.fss[1].info("f0.bin") == nil)
        try c.fss[0].writeAll("r0.bin", contents[0])
        c.converge()
        #expect(c.allTreesEqual())
        #expect(try c.fss[1].readAll("r0.bin", limit: 1 << 20) == contents[0])
        #expect(traffic(c) == before, "no chunk requested: the version holds them")
        #expect(try heldFiles(c, 1).isEmpty, "versioning keeps the file itself; nothing is held")
        expireHolds(c)
        let versions = try c.fss[1].list(PathPolicy.stateDirectoryName + "/versions")
        #expect(versions.count == 1 && versions.first?.hasPrefix("f0.bin~") == true, "the version outlives the hold: \(versions)")
    }
}
