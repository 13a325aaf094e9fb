#if canImport(Glibc)
import Glibc
#endif
import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// Two engines on real temp directories with SQLite indexes, exchanging frames directly.
@Suite struct LocalDiskSyncTests {
    final class Pair {
        let roots: [String]
        let fss: [LocalFileSystem]
        let dbPaths: [String]
        var engines: [FolderEngine] = []
        let ids = ["AAAAAAA-LOCAL", "BBBBBBB-LOCAL"]
        var indexFrames = 0
        var now = Instant(nanoseconds: 1)

        init() throws {
            dbPaths = [tempDatabasePath(), tempDatabasePath()]
            roots = dbPaths.map { String($0.dropLast("/index.db".count)) + "/folder" }
            for r in roots { mkdir(r, 0o755) }
            fss = roots.map { LocalFileSystem(root: $0) }
            for i in 0..<2 { engines.append(try open(i)) }
        }

        deinit { dbPaths.forEach(removeDatabaseDirectory) }

        func open(_ i: Int) throws -> FolderEngine {
            try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: ids[i]), fs: fss[i],
                             store: SQLiteIndexStore(database: SyncDatabase(path: dbPaths[i])), newIndexID: UInt64(i + 100))
        }

        func connect() { engines[0].connect(peer: ids[1], now: now); engines[1].connect(peer: ids[0], now: now) }

        func run() {
            var moved = true
            var steps = 0
            while moved && steps < 100_000 {
                moved = false
                for i in 0..<2 {
                    while let t = engines[i].pollTransmit() {
                        if t.bytes.count > 5 && t.bytes[5] == SyncFrame.MessageType.index.rawValue { indexFrames += 1 }
                        engines[1 - i].handle(bytes: t.bytes, from: ids[i], now: now)
                        moved = true
                        steps += 1
                    }
                }
            }
        }

        func settle() {
            for _ in 0..<3 { for e in engines { e.scan(now: now) }; run() }
        }
    }

    @Test func syncOnDiskAndResumeFromSQLite() throws {
        let p = try Pair()
        p.connect()
        var rng = SeededRandom(seed: 31)
        let big = rng.bytes(700_000)
        try p.fss[0].makeDirectories("photos/2026")
        try p.fss[0].writeAll("photos/2026/a.raw", big, permissions: 0o640)
        try p.fss[0].makeSymlink("latest", target: "photos/2026/a.raw")
        try p.fss[1].writeAll("notes.md", Array("# notes".utf8))
        p.settle()
        #expect(try p.fss[1].readAll("photos/2026/a.raw", limit: 1 << 20) == big)
        #expect(try p.fss[1].info("photos/2026/a.raw")?.permissions == 0o640)
        #expect(try p.fss[1].info("latest")?.symlinkTarget == "photos/2026/a.raw")
        #expect(try p.fss[0].readAll("notes.md") == Array("# notes".utf8))
        #expect(try p.fss[1].info("photos/2026/a.raw")?.mtimeNanoseconds == p.fss[0].info("photos/2026/a.raw")?.mtimeNanoseconds)

        // Restart B from its database: only what changed since is exchanged.
        p.engines[1] = try p.open(1)
        #expect(p.engines[1].localRecord(SyncPath("photos/2026/a.raw"))?.size == 700_000)
        try p.fss[0].writeAll("new.txt", Array("after restart".utf8))
        p.indexFrames = 0
        p.engines[0].disconnect(peer: p.ids[1], now: p.now)
        p.connect()
        p.settle()
        #expect(try p.fss[1].readAll("new.txt") == Array("after restart".utf8))
        #expect(p.engines[1].needCount() == 0 && p.engines[0].needCount() == 0)
        // Incremental: a handful of index frames, not a resend of everything per scan.
        #expect(p.indexFrames <= 4, "\(p.indexFrames) index frames after a restart")
        for d in p.dbPaths { removeDatabaseDirectory(d) }
    }

    /// Regression (hostile-peer scenario, issue #11): `é` in NFC and `e` + U+0301 (NFD) are two
    /// files on Linux, and so are `Readme.txt` and `README.txt`. The SQLite store grouped need
    /// candidates by Swift `String`, whose `==` is canonical equivalence, so the two spellings were
    /// merged into one candidate and neither file was ever pulled.
    @Test func unicodeAndCaseVariantsAreDistinctFilesOnDisk() throws {
        let p = try Pair()
        p.connect()
        let names = ["caf\u{E9}.txt", "cafe\u{301}.txt", "Readme.txt", "README.txt"]
        for (i, n) in names.enumerated() { try p.fss[0].writeAll(n, Array("variant \(i)".utf8)) }
        p.settle()
        for (i, n) in names.enumerated() {
            #expect(try p.fss[1].readAll(n) == Array("variant \(i)".utf8), "\(Array(n.utf8)) was not pulled as its own file")
        }
        #expect(try p.fss[1].list("").filter { !$0.hasPrefix(".peersync") }.count == 4)
        #expect(p.engines[1].needCount() == 0)
        for d in p.dbPaths { removeDatabaseDirectory(d) }
    }

    /// On SQLite: an initial sync's walk ends read no deletion candidate; a deletion goes
    /// through; a mass deletion is stopped and reported, nothing deleted.
    @Test func deletionPassOnSQLite() throws {
        let p = try Pair()
        p.connect()
        for i in 0..<25 { try p.fss[0].writeAll("f\(i)", Array("file \(i)".utf8)) }
        p.settle()
        #expect(try p.fss[1].readAll("f24") == Array("file 24".utf8))
        #expect(p.engines[1].deletionCandidatesRead == 0)
        for i in 0..<3 { try p.fss[0].remove("f\(i)") }
        p.settle()
        #expect(try p.fss[1].info("f0") == nil && p.fss[1].info("f2") == nil)
        #expect(try p.fss[1].readAll("f3") == Array("file 3".utf8))
        for i in 3..<18 { try p.fss[0].remove("f\(i)") }
        p.settle()
        var events: [SyncEvent] = []
        while let e = p.engines[1].pollEvent() { events.append(e) }
        #expect(events.contains(.massDeletionBlocked(count: 15)), "15 of 22")
        #expect(try p.fss[1].readAll("f3") == Array("file 3".utf8))
    }
}
