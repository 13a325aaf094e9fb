import Foundation
import GRDB
import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

@Suite struct DirectStatementTests {
    /// Every binding keeps its SQLite type: NULLs stay NULL, an empty blob stays a blob, an empty
    /// string stays text, and bytes come back unchanged.
    @Test func bindsEachTypeAsGRDBWould() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let db = try SyncDatabase(path: path)
        let nfd = "e\u{301}/caf\u{E9}"
        let rows = try db.pool.write { db -> [Row] in
            try db.execute(sql: "CREATE TABLE t (i INTEGER, n INTEGER, b INTEGER, s TEXT NOT NULL, u TEXT, d BLOB NOT NULL, e BLOB NOT NULL)")
            var insert = try DirectStatement(db, sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)")
            for (i, flag) in [(Int64.min, true), (Int64.max, false)] {
                insert.begin()
                try insert.bind(i); try insert.bind(nil as Int64?); try insert.bind(flag); try insert.bind("")
                try insert.bind(nfd); try insert.bind(Data([0, 1, 2, 255])); try insert.bind(Data())
                try insert.execute()
            }
            return try Row.fetchAll(db, sql: "SELECT i, typeof(n), b, typeof(s), s, u, d, typeof(e), length(e) FROM t ORDER BY rowid")
        }
        #expect(rows.count == 2)
        #expect(rows[0][0] as Int64 == .min && rows[1][0] as Int64 == .max)
        #expect(rows[0][1] as String == "null")
        #expect(rows[0][2] as Int64 == 1 && rows[1][2] as Int64 == 0)
        #expect(rows[0][3] as String == "text" && rows[0][4] as String == "")
        // Byte-exact: NFD text is not normalised on the way in.
        #expect(Array((rows[0][5] as String).utf8) == Array(nfd.utf8))
        #expect(rows[0][6] as Data == Data([0, 1, 2, 255]))
        #expect(rows[0][7] as String == "blob" && rows[0][8] as Int64 == 0)

        // Text ends at a NUL byte, as GRDB binds it.
        let cut = try db.pool.write { db -> [String] in
            try db.execute(sql: "CREATE TABLE c (s TEXT NOT NULL)")
            var insert = try DirectStatement(db, sql: "INSERT INTO c VALUES (?)")
            insert.begin()
            try insert.bind("cut\u{0}here")
            try insert.execute()
            try db.execute(sql: "INSERT INTO c VALUES (?)", arguments: ["cut\u{0}here"])
            return try String.fetchAll(db, sql: "SELECT s FROM c ORDER BY rowid")
        }
        #expect(cut == ["cut", "cut"])
    }

    /// Too few values is an error, not a row with NULLs; a failed row (constraint) leaves the
    /// cached statement usable for the next row and the next commit.
    @Test func wrongCountsAndFailedRowsThrowAndLeaveTheStatementUsable() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let db = try SyncDatabase(path: path)
        try db.pool.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            var insert = try DirectStatement(db, sql: "INSERT INTO t (k, v) VALUES (?, ?)")
            insert.begin()
            try insert.bind(Int64(1))
            #expect(throws: DatabaseError.self) { try insert.execute() }
            insert.begin()
            try insert.bind(Int64(1)); try insert.bind("one")
            try insert.execute()
            insert.begin()
            try insert.bind(Int64(1)); try insert.bind("duplicate")
            #expect(throws: DatabaseError.self) { try insert.execute() }
            insert.begin()
            try insert.bind(Int64(2)); try insert.bind("two")
            try insert.execute()
        }
        // A later transaction gets the same cached statement back, in a clean state.
        try db.pool.write { db in
            var insert = try DirectStatement(db, sql: "INSERT INTO t (k, v) VALUES (?, ?)")
            insert.begin()
            try insert.bind(Int64(3)); try insert.bind("three")
            try insert.execute()
        }
        let values = try db.pool.read { try String.fetchAll($0, sql: "SELECT v FROM t ORDER BY k") }
        #expect(values == ["one", "two", "three"])
    }

    /// Extreme values (UInt64 bit patterns above Int64.max, an empty version vector, a symlink)
    /// and the local state's columns survive a commit and a reload.
    @Test func committedRecordsRoundTripExtremeValues() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.openFolder("f", newIndexID: 1)
        let big = VersionVector().incremented(by: .max)
        var file = fileRecord("x/\u{E9}.bin", "payload", version: big, sequence: .max)
        file.modifiedBy = .max
        file.mtimeNanoseconds = .min
        let link = FileRecord(path: SyncPath("l"), kind: .symlink, version: VersionVector(), sequence: 3, symlinkTarget: "../t")
        let state = LocalFileState(kind: .file, size: .max, permissions: 0o7777, mtimeNanoseconds: -1, ctimeNanoseconds: .max, inode: .max)
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: file, state: state), LocalEntry(record: link, state: nil)]
        batch.remote = [("peer", link)]
        try store.commit(batch)
        let loaded = try store.localEntry(folderID: "f", path: file.path, withChunks: true)
        #expect(loaded?.record == file && loaded?.state == state)
        #expect(try store.localEntry(folderID: "f", path: link.path, withChunks: true)?.record == link)
        #expect(try store.remoteRecords(folderID: "f", path: link.path, withChunks: true)["peer"] == link)
        #expect(try store.localChunkLocation(folderID: "f", hash: file.chunks[0].hash)?.path == file.path)
        #expect(try store.localChunkLocation(folderID: "other", hash: file.chunks[0].hash) == nil)
        #expect(try store.chunkList(folderID: "f", contentHash: file.contentHash) == file.chunks)
        #expect(try store.chunkList(folderID: "f", contentHash: hash("absent")) == nil)
    }

    /// Point lookups read the first row, report a missing one as nil, and leave the statement
    /// reusable at once (it is reset, not left mid-query).
    @Test func pointLookupsReadFirstRowOrNil() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.openFolder("f", newIndexID: 1)
        let v = VersionVector().incremented(by: 2)
        let two = FileRecord(path: SyncPath("two"), kind: .file, size: 8, version: v, sequence: 1,
                             contentHash: hash("2"), chunks: [ChunkInfo(size: 4, hash: hash("a")), ChunkInfo(size: 4, hash: hash("b"))])
        let gone = FileRecord(path: SyncPath("gone"), kind: .file, deleted: true, version: v, sequence: 2)
        var batch = IndexBatch(folderID: "f")
        batch.remote = [("peer", two), ("peer", gone)]
        try store.commit(batch)
        for _ in 0..<2 {
            #expect(try store.remoteChunkCount(folderID: "f", device: "peer", path: two.path) == 2)
            #expect(try store.remoteChunkCount(folderID: "f", device: "peer", path: gone.path) == 0)
            #expect(try store.remoteChunkCount(folderID: "f", device: "other", path: two.path) == nil)
        }
        let rows = try store.database.pool.write { db -> [String] in
            var all = try DirectStatement(db, sql: "SELECT path FROM file WHERE folderID = ? ORDER BY path")
            all.begin()
            try all.bind("f")
            let first = try all.fetchFirst { $0.string(0) }
            all.begin()
            try all.bind("f")
            return [first, try all.fetchFirst { $0.string(0) }].compactMap { $0 }
        }
        #expect(rows == ["gone", "gone"])
    }
}
