import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Where the index holds nothing, a pull starts without looking at the disk: the placing rename
/// (`RENAME_NOREPLACE`) is what refuses a path someone filled meanwhile. A file made locally
/// and not scanned yet is never overwritten, and its path is fetched once, not again and again.
@Suite struct OccupiedPathTests {
    static let files = ["a/one.txt", "b/two.txt", "top"]
    static func content(_ i: Int) -> [UInt8] { Array(repeating: UInt8(i + 1), count: 2000 * (i + 1)) }

    @Test(arguments: [false, true]) func aFileMadeLocallyBeforeItsPullIsKeptAndNotFetchedAgain(syncerWrites: Bool) throws {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let syncer = ManualFileSyncer(fs: fss[1], takesDirectories: true, writesFiles: syncerWrites)
        let c = try Cluster(count: 2, seed: 91, fileSystems: fss, syncers: [1: syncer])
        for (i, n) in Self.files.enumerated() {
            if let dir = SyncPath(n).parent { try fss[0].makeDirectories(dir.string) }
            try fss[0].writeAll(n, Self.content(i))
        }
        // The receiver's user made "top" (and a directory where "b/two.txt" goes) before any scan.
        try fss[1].writeAll("top", [9, 9, 9])
        try fss[1].makeDirectories("b/two.txt")
        c.scan(0)
        c.connectAll()
        c.run()
        for _ in 0..<6 { syncer.round(c, engine: 1) }

        #expect(try fss[1].readAll("top") == [9, 9, 9], "the local file is not overwritten")
        #expect(try fss[1].info("b/two.txt")?.kind == .directory)
        #expect(try fss[1].readAll("a/one.txt") == Self.content(0), "the free path is placed")
        #expect(c.engines[1].localRecord(SyncPath("top")) == nil && c.engines[1].localRecord(SyncPath("b/two.txt")) == nil)
        let requests = c.framesSent[.request] ?? 0
        #expect(requests == Self.files.count, "each path fetched once (the occupied ones for nothing)")

        // More pull passes and syncer rounds fetch nothing more for the occupied paths.
        for _ in 0..<6 { syncer.round(c, engine: 1) }
        c.now = c.now + .seconds(120)   // past any retry backoff
        c.run()
        for _ in 0..<3 { syncer.round(c, engine: 1) }
        #expect(c.framesSent[.request] ?? 0 == requests, "the occupied paths were fetched again")
        #expect(try fss[1].readAll("top") == [9, 9, 9])

        // Once the user's file is gone the path is pulled as any other.
        try fss[1].remove("top")
        c.engines[1].scan(now: c.now)
        c.collect()
        c.run()
        for _ in 0..<6 { syncer.round(c, engine: 1) }
        #expect(try fss[1].readAll("top") == Self.content(2))
    }
}
