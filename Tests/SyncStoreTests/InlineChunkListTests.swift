import Foundation
import GRDB
import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// A live file record of `content` cut into two chunks at `cut` bytes.
func twoChunkRecord(_ path: String, _ content: String, cut: Int, version: VersionVector, sequence: UInt64) -> FileRecord {
    let bytes = Array(content.utf8)
    let chunks = [ChunkInfo(size: UInt32(cut), hash: SHA256Hasher.hash(Array(bytes[..<cut]))),
                  ChunkInfo(size: UInt32(bytes.count - cut), hash: SHA256Hasher.hash(Array(bytes[cut...])))]
    return FileRecord(path: SyncPath(path), kind: .file, size: UInt64(bytes.count), permissions: 0o644, mtimeNanoseconds: 1_000,
                      modifiedBy: 1, version: version, sequence: sequence, contentHash: SHA256Hasher.contentHash(of: chunks), chunks: chunks)
}

/// The details of SQLite's plan for `sql` (its parameters unbound).
func queryPlan(_ db: Database, _ sql: String) throws -> [String] {
    let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
    statement.setUncheckedArguments(StatementArguments())
    return try Row.fetchAll(statement).map { $0["detail"] as String }
}

/// The rows of `table`.
func rowCount(_ store: SQLiteIndexStore, _ table: String) throws -> Int {
    try store.database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
}

/// A one-chunk file is one `file` row (its list inline, its chunk found through its content
/// hash); a longer file keeps its `chunkList` and `chunkLocation` rows; and a database written
/// before the inline lists (migration v4) keeps working.
@Suite struct InlineChunkListTests {
    @Test func oneChunkFilesWriteOneRowAndAreStillFound() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.loadFolder("f", newIndexID: 1)
        let v1 = VersionVector().incremented(by: 1)
        let small = fileRecord("small", "one chunk", version: v1, sequence: 1)
        let long = twoChunkRecord("long", "first part|second part", cut: 11, version: v1, sequence: 2)
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: small, state: nil), LocalEntry(record: long, state: nil)]
        batch.remote = [("peer", fileRecord("theirs", "peer's one chunk", version: v1, sequence: 1)),
                        ("peer", twoChunkRecord("theirs-long", "peer's|two chunks", cut: 7, version: v1, sequence: 2))]
        try store.commit(batch)
        #expect(try rowCount(store, "chunkList") == 2, "only the two-chunk contents")
        #expect(try rowCount(store, "chunkLocation") == 2, "only the local two-chunk file's chunks")
        #expect(try rowCount(store, "file WHERE inlineChunks IS NOT NULL") == 2)

        // Every read gives the lists back, with or without `withChunks` for inline ones.
        let loaded = try store.loadFolder("f", newIndexID: 1)
        #expect(loaded.local.map(\.record) == [small, long])
        #expect(try store.localEntry(folderID: "f", path: SyncPath("small"), withChunks: false)?.record.chunks == small.chunks)
        #expect(try store.localEntry(folderID: "f", path: SyncPath("long"), withChunks: true)?.record.chunks == long.chunks)
        #expect(try store.chunkList(folderID: "f", contentHash: small.contentHash) == small.chunks)
        #expect(try store.chunkList(folderID: "f", contentHash: long.contentHash) == long.chunks)
        #expect(try store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("theirs")) == 1)
        #expect(try store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("theirs-long")) == 2)
        #expect(try store.openFolder("f", newIndexID: 1).remoteCounts["peer"] == RemoteCount(records: 2, chunks: 3))
        let page = try store.needCandidates(folderID: "f", after: nil, descending: false, limit: 10, withChunks: false)
        #expect(page.map(\.path) == [SyncPath("theirs"), SyncPath("theirs-long")])
        #expect(page.first?.remote["peer"]?.chunks.count == 1, "an inline list comes with the page")

        // Local chunks: the one-chunk file's through its content hash, at offset 0.
        let found = try store.localChunkLocation(folderID: "f", hash: small.chunks[0].hash)
        #expect(found?.path == SyncPath("small") && found?.offset == 0)
        let second = try store.localChunkLocation(folderID: "f", hash: long.chunks[1].hash)
        #expect(second?.path == SyncPath("long") && second?.offset == 11)
        #expect(try store.localChunkLocation(folderID: "f", hash: hash("peer's one chunk")) == nil, "a peer's file is no local copy")
        #expect(try store.localChunkLocation(folderID: "g", hash: small.chunks[0].hash) == nil, "another folder")
        #expect(try store.chunkLocations(small.chunks[0].hash).map(\.path) == [SyncPath("small")])
        // Every local chunk's hash, for the engine's filter: the inline one and the listed ones.
        var hashes: [ContentHash] = []
        try store.forEachLocalChunkHash(folderID: "f") { hashes.append($0) }
        #expect(Set(hashes) == Set(small.chunks.map(\.hash) + long.chunks.map(\.hash)) && hashes.count == 3)
        var elsewhere = 0
        try store.forEachLocalChunkHash(folderID: "g") { _ in elsewhere += 1 }
        #expect(elsewhere == 0, "another folder's")

        // Replaced by a tombstone: no longer a local copy, no inline list left.
        var gone = small
        gone.deleted = true; gone.chunks = []; gone.size = 0; gone.sequence = 3
        var delete = IndexBatch(folderID: "f")
        delete.local = [LocalEntry(record: gone, state: nil)]
        try store.commit(delete)
        #expect(try store.localChunkLocation(folderID: "f", hash: small.chunks[0].hash) == nil)
        #expect(try store.chunkList(folderID: "f", contentHash: small.contentHash) == nil)
        hashes = []
        try store.forEachLocalChunkHash(folderID: "f") { hashes.append($0) }
        #expect(Set(hashes) == Set(long.chunks.map(\.hash)), "a tombstone holds no chunk")
    }

    /// A content hash is a peer's claim: a local file whose hash names a chunk it does not
    /// hold (its inline list says otherwise) is not offered as a copy of that chunk (nor of its
    /// own: it is found through its content hash, so it is simply no source).
    @Test func aContentHashAloneDoesNotMakeALocalCopy() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.loadFolder("f", newIndexID: 1)
        let claimed = ChunkInfo(size: 4, hash: hash("claimed"))
        var lying = fileRecord("lying", "actual", version: VersionVector().incremented(by: 1), sequence: 1)
        lying.contentHash = SHA256Hasher.contentHash(of: [claimed])
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: lying, state: nil)]
        try store.commit(batch)
        #expect(try store.localChunkLocation(folderID: "f", hash: claimed.hash) == nil)
        #expect(try store.localChunkLocation(folderID: "f", hash: hash("actual")) == nil)
        let honest = fileRecord("honest", "actual", version: VersionVector().incremented(by: 1), sequence: 2)
        batch.local = [LocalEntry(record: honest, state: nil)]
        try store.commit(batch)
        #expect(try store.localChunkLocation(folderID: "f", hash: hash("actual"))?.path == SyncPath("honest"))
    }

    /// A database of schema v3 (one-chunk lists in `chunkList`, their chunks in
    /// `chunkLocation`, written here the way that version's commit wrote them) is migrated on
    /// open and keeps working: its lists and local chunks are found, its paths are replaced
    /// (their old location rows go), and its lists are swept once unused.
    @Test func aDatabaseWrittenBeforeInlineListsKeepsWorking() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let v1 = VersionVector().incremented(by: 1), v2 = v1.incremented(by: 1)
        let old = fileRecord("old", "written by v3", version: v1, sequence: 1)
        let peers = fileRecord("old", "the peer's newer one", version: v2, sequence: 7)
        do {
            let pool = try DatabasePool(path: path)
            try SyncDatabase.migrator.migrate(pool, upTo: "v3-chunklist-references")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO folder (id, indexID) VALUES ('f', 1)")
                for (device, r) in [("", old), ("peer", peers)] {
                    try db.execute(sql: """
                        INSERT INTO file (folderID, device, path, kind, deleted, size, permissions, mtime, modifiedBy, version, sequence,
                                          contentHash, symlinkTarget, inode, ctime, diskMtime, diskSize, diskPermissions, diskKind)
                        VALUES ('f', ?, ?, 0, 0, ?, 420, 1000, 1, ?, ?, ?, '', 5, 6, 1000, ?, 420, 0)
                        """, arguments: [device, r.path.string, Int64(r.size), RowCoding.encode(r.version), Int64(r.sequence),
                                         RowCoding.data(r.contentHash), Int64(r.size)])
                    try db.execute(sql: "INSERT INTO chunkList (contentHash, chunks) VALUES (?, ?)",
                                   arguments: [RowCoding.data(r.contentHash), RowCoding.encode(r.chunks)])
                }
                try db.execute(sql: "INSERT INTO chunkLocation (hash, folderID, path, offset, size) VALUES (?, 'f', 'old', 0, ?)",
                               arguments: [RowCoding.data(old.chunks[0].hash), Int64(old.size)])
            }
        }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        let applied = try store.database.pool.read { try SyncDatabase.migrator.appliedMigrations($0) }
        #expect(applied.last == "v5-file-keyed-by-path")
        let indexes = try store.database.pool.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'file' AND sql IS NOT NULL ORDER BY name")
        }
        #expect(indexes == ["file_contentHash", "file_localSequence", "file_tombstoneOnly"])
        let loaded = try store.loadFolder("f", newIndexID: 9)
        #expect(loaded.indexID == 1)
        #expect(loaded.local.map(\.record) == [old])
        #expect(loaded.remote["peer"] == [peers])
        #expect(try store.localEntry(folderID: "f", path: SyncPath("old"), withChunks: true)?.record.chunks == old.chunks)
        #expect(try store.chunkList(folderID: "f", contentHash: peers.contentHash) == peers.chunks)
        #expect(try store.localChunkLocation(folderID: "f", hash: old.chunks[0].hash)?.path == SyncPath("old"))
        #expect(try store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("old")) == 1)
        let page = try store.needCandidates(folderID: "f", after: nil, descending: false, limit: 10, withChunks: true)
        #expect(page.count == 1 && page.first?.remote["peer"] == peers && page.first?.local?.record == old)

        // The peer's version is pulled: the path's new row keeps its list inline, the old
        // location row goes, and both old lists are swept (no row names them now).
        var pulled = peers
        pulled.sequence = 2
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: pulled, state: nil)]
        try store.commit(batch)
        #expect(try rowCount(store, "chunkLocation") == 0)
        #expect(try store.localChunkLocation(folderID: "f", hash: peers.chunks[0].hash)?.path == SyncPath("old"))
        #expect(try store.localChunkLocation(folderID: "f", hash: old.chunks[0].hash) == nil)
        #expect(try store.removeUnusedChunkLists(limit: 10) == 1, "the replaced content's list; the peer's row still names its own")
        #expect(try store.chunkList(folderID: "f", contentHash: peers.contentHash) == peers.chunks)
        #expect(try store.needCandidates(folderID: "f", after: nil, descending: false, limit: 10, withChunks: true).isEmpty)
    }

    /// Local sequences and tombstones are found through their partial indexes (a peer's row
    /// is in neither, a live file not in the second), not by walking the folder's local rows;
    /// and no per-file statement is re-prepared for a new value
    /// (SQLite does that to a statement that binds a column a partial index's condition names).
    @Test func theTombstoneIndexServesItsQueriesAndNoStatementIsReprepared() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        let cases = [
            ("SELECT \(RowCoding.fileColumns) FROM file WHERE folderID = ? AND device = '' AND sequence > ? ORDER BY sequence LIMIT ?", "file_localSequence"),
            ("SELECT MAX(sequence) FROM file WHERE folderID = ? AND device = ''", "file_localSequence"),
            (SQLiteIndexStore.expirableTombstonesSQL, "file_tombstoneOnly"),
            (SQLiteIndexStore.remoteChunkCountSQL, "sqlite_autoindex_file_1 (folderID=? AND path=? AND device=?)"),
        ]
        for (sql, index) in cases {
            let plan = try store.database.pool.read { db in
                try queryPlan(db, sql)
            }
            #expect(plan.contains { $0.contains(index) } && !plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }

        // Both find what they index, and only that.
        _ = try store.loadFolder("f", newIndexID: 1)
        let v1 = VersionVector().incremented(by: 1)
        var gone = fileRecord("gone", "", version: v1, sequence: 2)
        gone.deleted = true; gone.chunks = []; gone.size = 0
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: fileRecord("live", "x", version: v1, sequence: 1), state: nil), LocalEntry(record: gone, state: nil)]
        batch.remote = [("peer", fileRecord("theirs", "y", version: v1, sequence: 5))]
        try store.commit(batch)
        #expect(try store.localRecords(folderID: "f", afterSequence: 0, limit: 10).map(\.path) == [SyncPath("live"), SyncPath("gone")])
        #expect(try store.openFolder("f", newIndexID: 1).maxSequence == 2)
        try store.stampTombstones(folderID: "f", wallClockNanoseconds: 100)
        #expect(try store.expirableTombstones(folderID: "f", maxSequence: 10, stampedBefore: 200, after: nil, limit: 10).map(\.path) == [SyncPath("gone")])
        let counted = try store.database.pool.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM file INDEXED BY file_tombstoneOnly WHERE folderID = 'f' AND device = '' AND deleted = 1")
        }
        #expect(counted == 1)

        // The per-file lookups and the commit's statements, run with new values: never re-prepared.
        for i in 0..<3 {
            var more = IndexBatch(folderID: "f")
            more.local = [LocalEntry(record: fileRecord("local\(i)", "l\(i)", version: v1, sequence: UInt64(10 + i)), state: nil)]
            more.remote = [("peer\(i)", fileRecord("r\(i)", "r\(i)", version: v1, sequence: 1))]
            try store.commit(more)
            _ = try store.remoteChunkCount(folderID: "f", device: "peer\(i)", path: SyncPath("r\(i)"))
            _ = try store.localChunkLocation(folderID: "f", hash: hash("l\(i)"))
            _ = try store.chunkList(folderID: "f", contentHash: hash("c\(i)"))
            _ = try store.localEntry(folderID: "f", path: SyncPath("local\(i)"), withChunks: true)
            _ = try store.remoteRecords(folderID: "f", path: SyncPath("r\(i)"), withChunks: true)
            _ = try store.needCandidates(folderID: "f", after: SyncPath("a\(i)"), descending: i == 1, limit: 10, withChunks: false)
        }
        let reprepared = store.database.pool.writeWithoutTransaction { db in db.repreparedStatements() }
        #expect(reprepared.isEmpty, "\(reprepared)")
    }

    /// The per-file queries use the right indexes: no scan of `file`, no automatic index built
    /// per call (the need page did both before the `CROSS JOIN`), chunks by content hash; the
    /// need page walks the key in order and sorts nothing in a temporary B-tree.
    @Test func perFileQueriesSearchIndexes() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        var sqls = [SQLiteIndexStore.needCandidatesSQL(bounded: false, descending: false),
                    SQLiteIndexStore.needCandidatesSQL(bounded: false, descending: true),
                    SQLiteIndexStore.needCandidatesSQL(bounded: true, descending: false),
                    SQLiteIndexStore.needCandidatesSQL(bounded: true, descending: true)]
        sqls += [SQLiteIndexStore.localChunkLocationSQL, SQLiteIndexStore.chunkListSQL]
        for sql in sqls {
            let plan = try store.database.pool.read { db in
                try queryPlan(db, sql)
            }
            #expect(!plan.contains { $0.contains("AUTOMATIC") || $0.hasPrefix("SCAN f") || $0.hasPrefix("SCAN file") }, "\(plan)")
            if sql.hasPrefix("SELECT f.") {
                #expect(plan.contains { $0.hasPrefix("SEARCH f USING INDEX sqlite_autoindex_file_1 (folderID=? AND path=?)") }, "\(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            } else {
                // By content hash, never by the folder's tombstone index (every local row).
                #expect(plan.contains { $0 == "SEARCH file USING INDEX file_contentHash (contentHash=?)" }, "\(plan)")
                #expect(!plan.contains { $0.contains("file_tombstoneOnly") }, "\(plan)")
            }
        }
    }
}
