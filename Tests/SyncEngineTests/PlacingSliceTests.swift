import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Flushed pulls placed a slice at a time (``FolderEngine/collectSyncedSlice(now:)``, the
/// daemon's path, so frames are handled between slices): each slice renames, then has its
/// directories made durable, then commits, on its own; the index only ever records files placed
/// and durable, and a power cut between slices leaves every file old or new.
@Suite struct PlacingSliceTests {
    static let names = ["a/1", "a/2", "a/3", "b/4", "b/5", "top6"]
    static func content(_ i: Int) -> [UInt8] { Array(repeating: UInt8(i + 1), count: 700 * (i + 1)) }

    /// Two engines; the receiver's syncer takes directories and places two entries per slice.
    /// Returns once every file's data flush finished (nothing placed yet).
    func cluster(seed: UInt64) throws -> (Cluster, ManualFileSyncer, InMemoryFileSystem) {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let syncer = ManualFileSyncer(fs: fss[1], takesDirectories: true)
        let c = try Cluster(count: 2, seed: seed, fileSystems: fss, syncers: [1: syncer]) { i, config in
            if i == 1 { config.placingSliceEntries = 2 }
        }
        try fss[0].writeFiles(Self.names, content: Self.content)
        c.scan(0)
        c.connectAll()
        c.run()
        syncer.completeAll()
        return (c, syncer, fss[1])
    }

    func onDisk(_ fs: InMemoryFileSystem) -> Set<String> {
        Set(Self.names.filter { (try? fs.info($0)) != nil })
    }

    func indexed(_ c: Cluster) -> Set<String> {
        Set(Self.names.filter { c.engines[1].localRecord(SyncPath($0)) != nil })
    }

    /// Every path holds nothing or its whole content.
    func oldOrNew(_ fs: InMemoryFileSystem) {
        for (i, n) in Self.names.enumerated() {
            guard let data = try? fs.readAll(n) else { continue }
            #expect(data == Self.content(i), "\(n) is never torn")
        }
    }

    @Test func eachSliceCommitsExactlyTheFilesItPlacedOnceTheirDirectoriesAreDurable() throws {
        let (c, syncer, fs) = try cluster(seed: 61)
        let e = c.engines[1]
        #expect(e.collectSyncedSlice(now: c.now), "four flushed files still wait")
        let first = onDisk(fs)
        #expect(first.count == 2, "one slice renames two files")
        #expect(indexed(c).isEmpty, "nothing indexed before their directories are durable")
        oldOrNew(fs)

        // The first slice's directories become durable; their results queue behind the four files.
        syncer.completeDirectories()
        #expect(e.collectSyncedSlice(now: c.now))
        #expect(onDisk(fs).count == 4 && indexed(c).isEmpty)
        #expect(e.collectSyncedSlice(now: c.now))
        #expect(onDisk(fs).count == 6 && indexed(c).isEmpty)
        // Then the directories reported durable: exactly the first slice's files go into the index.
        while e.hasSyncedBacklog { e.collectSyncedSlice(now: c.now) }
        #expect(indexed(c) == first, "only the files whose rename is durable are indexed")
        for n in indexed(c) { #expect(try fs.readAll(n) == Self.content(Self.names.firstIndex(of: n) ?? 0)) }

        syncer.completeDirectories()
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        c.run()
        #expect(indexed(c) == Set(Self.names))
        #expect(!e.hasSyncedBacklog && !e.isPulling && e.needCount() == 0)
        #expect(c.allTreesEqual())
    }

    @Test func aPowerCutBetweenSlicesLeavesFilesOldOrNewAndTheIndexBehindTheDisk() throws {
        let (c, syncer, fs) = try cluster(seed: 62)
        let e = c.engines[1]
        e.collectSyncedSlice(now: c.now)
        syncer.completeDirectories()
        while e.hasSyncedBacklog { e.collectSyncedSlice(now: c.now) }   // the last slice commits the first one's files
        let committed = indexed(c)
        #expect(committed.count == 2)
        fs.crash()
        syncer.dropPending()
        oldOrNew(fs)
        for n in committed { #expect(try fs.readAll(n) == Self.content(Self.names.firstIndex(of: n) ?? 0), "\(n) indexed, so durable") }

        // Restarted, the engine converges: what survived is adopted, the rest pulled again.
        try c.restart(1)
        c.connectAll()
        c.scan(1)
        c.run()
        syncer.round(c, engine: 1)
        syncer.round(c, engine: 1)
        #expect(c.allTreesEqual())
        #expect(c.engines[1].needCount() == 0)
    }

    @Test func theTimerPlacesWhatWaitsSliceBySlice() throws {
        let (c, syncer, fs) = try cluster(seed: 63)
        let e = c.engines[1]
        #expect(e.collectSyncedSlice(now: c.now))
        #expect(e.pollTimeout().map { $0 <= c.now } == true, "results waiting make the next timeout due now")
        var calls = 0
        while let t = e.pollTimeout(), t <= c.now, e.hasSyncedBacklog, calls < 100 {
            e.handle(timeout: c.now)
            calls += 1
        }
        #expect(calls == 2, "one slice per timeout")
        #expect(onDisk(fs) == Set(Self.names) && !e.hasSyncedBacklog)
        syncer.completeDirectories()
        e.collectSynced(now: c.now)
        #expect(indexed(c) == Set(Self.names))
    }
}
