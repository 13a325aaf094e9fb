import Foundation
import GRDB
import SyncFS
import SyncProtocol
import SyncEngine

/// The engine's ``IndexStore`` on SQLite: each ``IndexBatch`` is one write transaction.
///
/// The lookups and pages the engine makes for every file run outside an explicit read
/// transaction (`unsafeReentrantRead`): each is one statement, atomic by itself, plus reads of
/// chunk lists, which are immutable per content hash. The BEGIN/COMMIT pair around every
/// lookup was a sixth of a receiving daemon's CPU.
///
/// A one-chunk file's chunk list is kept in its own row (`inlineChunks`); longer lists are stored
/// once per content hash in `chunkList`, and the chunks of local files with such lists are
/// indexed by hash in `chunkLocation`, so the puller can find a local copy of any chunk in any
/// folder (a one-chunk file's chunk is found through its content hash, the SHA-256 of that
/// chunk's hash). A small file thus costs one row, not three.
public final class SQLiteIndexStore: IndexStore, Sendable {
    /// The database.
    public let database: SyncDatabase

    /// The per-chunk look-ups' statements, prepared once on the writer's connection.
    let hot = HotStatements()

    /// A store on `database`.
    public init(database: SyncDatabase) { self.database = database }

    /// ``IndexStore`` requirement: one write transaction.
    public func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder {
        try database.pool.write { db in
            let folder = try Self.folder(db, folderID, newIndexID: newIndexID)
            var stored = StoredFolder(indexID: UInt64(bitPattern: folder.indexID))
            let rows = try FileRow.fetchCursor(db, sql: "SELECT * FROM file WHERE folderID = ? ORDER BY device, sequence", arguments: [folderID])
            while let row = try rows.next() {
                let chunks = try Self.chunks(db, row)
                let record = RowCoding.record(row, chunks: chunks)
                if row.device.isEmpty {
                    stored.local.append(LocalEntry(record: record, state: RowCoding.state(row)))
                } else {
                    stored.remote[row.device, default: []].append(record)
                }
            }
            stored.progress = try Self.progress(db, folderID)
            return stored
        }
    }

    static func folder(_ db: Database, _ folderID: String, newIndexID: UInt64) throws -> FolderRow {
        if let f = try FolderRow.fetchOne(db, key: folderID) { return f }
        let folder = FolderRow(id: folderID, indexID: Int64(bitPattern: newIndexID))
        try folder.insert(db)
        return folder
    }

    static func progress(_ db: Database, _ folderID: String) throws -> [String: RemoteProgress] {
        var out: [String: RemoteProgress] = [:]
        for p in try RemoteProgressRow.filter(Column("folderID") == folderID).fetchAll(db) {
            out[p.device] = RemoteProgress(indexID: UInt64(bitPattern: p.indexID), maxSequence: UInt64(bitPattern: p.maxSequence),
                                           acknowledgedSequence: UInt64(bitPattern: p.acknowledgedSequence))
        }
        return out
    }

    /// ``IndexStore`` requirement: positions and counts, in one write transaction (it may create the folder).
    public func openFolder(_ folderID: String, newIndexID: UInt64) throws -> FolderHead {
        try database.pool.write { db in
            let folder = try Self.folder(db, folderID, newIndexID: newIndexID)
            let maxSequence = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM file WHERE folderID = ? AND device = ''",
                                                 arguments: [folderID]) ?? 0
            var head = FolderHead(indexID: UInt64(bitPattern: folder.indexID), maxSequence: UInt64(bitPattern: maxSequence),
                                  progress: try Self.progress(db, folderID))
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.device, COUNT(*),
                       COALESCE(SUM(CASE WHEN f.kind = 0 AND f.deleted = 0 THEN COALESCE(length(f.inlineChunks), length(c.chunks)) / 36 ELSE 0 END), 0)
                FROM file f LEFT JOIN chunkList c ON c.contentHash = f.contentHash
                WHERE f.folderID = ? AND f.device != '' GROUP BY f.device
                """, arguments: [folderID])
            while let row = try rows.next() {
                head.remoteCounts[row[0]] = RemoteCount(records: row[1], chunks: row[2])
            }
            return head
        }
    }

    static func chunks(_ db: Database, _ row: FileRow) throws -> [ChunkInfo] {
        guard row.kind == Int(FileKind.file.rawValue), !row.deleted else { return [] }
        if let inline = row.inlineChunks { return RowCoding.decodeChunks(inline) }
        guard let hash = ContentHash(bytes: row.contentHash),
              let list = try storedChunks(DirectStatement(db, sql: chunkListSQL), hash) else {
            // Never an empty file by mistake: a non-empty file without its list is an error (retried).
            if row.size > 0 { throw IndexStoreError.missingChunkList(path: row.path) }
            return []
        }
        return list
    }

    /// ``IndexStore`` requirement: deletes up to `limit` chunk lists that no file row (local or
    /// any peer's, in any folder) refers to any more; returns how many went.
    @discardableResult
    public func removeUnusedChunkLists(limit: Int) throws -> Int {
        try database.pool.write { db in
            try db.execute(sql: """
                DELETE FROM chunkList WHERE contentHash IN (
                    SELECT c.contentHash FROM chunkList c
                    WHERE NOT EXISTS (SELECT 1 FROM file f WHERE f.contentHash = c.contentHash) LIMIT ?)
                """, arguments: [limit])
            return db.changesCount
        }
    }

    /// ``IndexStore`` requirement: one write transaction.
    public func commit(_ batch: IndexBatch) throws {
        try database.pool.write { db in
            for device in batch.droppedPeers {
                try db.execute(sql: "DELETE FROM file WHERE folderID = ? AND device = ?", arguments: [batch.folderID, device])
                try db.execute(sql: "DELETE FROM remoteProgress WHERE folderID = ? AND device = ?", arguments: [batch.folderID, device])
            }
            var saveFile = try DirectStatement(db, sql: "INSERT OR REPLACE INTO file (\(RowCoding.fileColumns)) VALUES (\(RowCoding.fileColumnMarks))")
            var dropLocations = try DirectStatement(db, sql: "DELETE FROM chunkLocation WHERE folderID = ? AND path = ?")
            var addLocation = try DirectStatement(db, sql: "INSERT OR REPLACE INTO chunkLocation (hash, folderID, path, offset, size) VALUES (?, ?, ?, ?, ?)")
            var saveList = try DirectStatement(db, sql: "INSERT OR IGNORE INTO chunkList (contentHash, chunks) VALUES (?, ?)")
            for entry in batch.local {
                try Self.saveChunkList(&saveList, entry.record)
                try RowCoding.bindFile(&saveFile, folderID: batch.folderID, device: "", record: entry.record, state: entry.state)
                try saveFile.execute()
                let path = entry.record.path.string
                dropLocations.begin()
                try dropLocations.bind(batch.folderID); try dropLocations.bind(path)
                try dropLocations.execute()
                if RowCoding.listsSeparately(entry.record) {
                    var offset: Int64 = 0
                    for c in entry.record.chunks {
                        addLocation.begin()
                        try addLocation.bind(c.hash); try addLocation.bind(batch.folderID); try addLocation.bind(path)
                        try addLocation.bind(offset); try addLocation.bind(Int64(c.size))
                        try addLocation.execute()
                        offset += Int64(c.size)
                    }
                }
            }
            for (device, record) in batch.remote {
                try Self.saveChunkList(&saveList, record)
                try RowCoding.bindFile(&saveFile, folderID: batch.folderID, device: device, record: record, state: nil)
                try saveFile.execute()
            }
            for (device, p) in batch.progress {
                try RemoteProgressRow(folderID: batch.folderID, device: device, indexID: Int64(bitPattern: p.indexID),
                                      maxSequence: Int64(bitPattern: p.maxSequence),
                                      acknowledgedSequence: Int64(bitPattern: p.acknowledgedSequence)).save(db)
            }
            for path in batch.expiredTombstones {
                try db.execute(sql: "DELETE FROM file WHERE folderID = ? AND path = ? AND deleted = 1", arguments: [batch.folderID, path.string])
            }
        }
    }

    /// Runs `statement` (the cached `INSERT OR IGNORE INTO chunkList`) for a file's list, unless
    /// the file's row keeps it inline.
    static func saveChunkList(_ statement: inout DirectStatement, _ record: FileRecord) throws {
        guard RowCoding.listsSeparately(record) else { return }
        statement.begin()
        try statement.bind(record.contentHash); try statement.bind(record.chunks)
        try statement.execute()
    }

    /// Records a paired device.
    public func saveDevice(id: String, name: String) throws {
        try database.pool.write { db in try DeviceRow(id: id, name: name).save(db) }
    }

    /// Paired devices.
    public func devices() throws -> [DeviceRow] {
        try database.pool.read { db in try DeviceRow.order(Column("id")).fetchAll(db) }
    }

    /// Streams, in path order, every path of `folderID` where some peer's version differs from
    /// the local one (the candidates of "what do I need"), with the local and peer records.
    /// A cursor walks the rows, so the index is never loaded whole; `body` returns false to stop.
    public func forEachNeedCandidate(folderID: String,
                                     _ body: (_ path: SyncPath, _ local: FileRecord?, _ remote: [String: FileRecord]) throws -> Bool) throws {
        try database.pool.read { db in
            let cursor = try FileRow.fetchCursor(db, sql: """
                SELECT f.* FROM file f
                WHERE f.folderID = ?1 AND f.path IN (
                    SELECT r.path FROM file r
                    LEFT JOIN file l ON l.folderID = r.folderID AND l.device = '' AND l.path = r.path
                    WHERE r.folderID = ?1 AND r.device != '' AND (l.path IS NULL AND r.deleted = 0 OR l.path IS NOT NULL AND l.version != r.version))
                ORDER BY f.path, f.device
                """, arguments: [folderID])
            // Paths are compared by their bytes (SyncPath), never as Swift Strings: `==` on String
            // is canonical equivalence and would merge `é` (NFC) with `e` + U+0301 (NFD).
            var currentPath: SyncPath?
            var local: FileRecord?
            var remote: [String: FileRecord] = [:]
            func flush() throws -> Bool {
                guard let p = currentPath else { return true }
                defer { currentPath = nil; local = nil; remote = [:] }
                return try body(p, local, remote)
            }
            while let row = try cursor.next() {
                let rowPath = SyncPath(row.path)
                if rowPath != currentPath {
                    guard try flush() else { return }
                    currentPath = rowPath
                }
                let record = RowCoding.record(row, chunks: try Self.chunks(db, row))
                if row.device.isEmpty { local = record } else { remote[row.device] = record }
            }
            _ = try flush()
        }
    }

    /// Local copies of a chunk, in any folder: (folder, path, offset).
    public func chunkLocations(_ hash: ContentHash) throws -> [(folderID: String, path: SyncPath, offset: UInt64)] {
        try database.pool.read { db in
            var out: [(folderID: String, path: SyncPath, offset: UInt64)] = []
            var statement = try DirectStatement(db, sql: """
                SELECT folderID, path, offset FROM chunkLocation WHERE hash = ?1
                UNION ALL SELECT folderID, path, 0 FROM file INDEXED BY file_contentHash WHERE contentHash = ?2 AND \(Self.holdsInlineChunk)
                """)
            statement.begin()
            try statement.bind(hash); try statement.bind(RowCoding.oneChunkContentHash(hash))
            try statement.forEachRow { out.append(($0.string(0), SyncPath($0.string(1)), UInt64(bitPattern: $0.int64(2)))); return true }
            return out
        }
    }

    /// The query of ``storedChunks(_:_:)`` (`?1`: the content hash): a row's inline list
    /// first (most contents are one chunk), then `chunkList`.
    static let chunkListSQL = """
        SELECT inlineChunks FROM file INDEXED BY file_contentHash WHERE contentHash = ?1 AND inlineChunks IS NOT NULL
        UNION ALL SELECT chunks FROM chunkList WHERE contentHash = ?1
        LIMIT 1
        """

    /// The query of ``localChunkLocation(folderID:hash:)``: `?1` the chunk's hash, `?2` the
    /// folder, `?3` the content hash of a file made of that chunk alone. The file branch names
    /// its index: left to itself, the planner took the tombstone index (three equalities) and read
    /// every local row of the folder (716k instructions per lookup in `sync-bench disk`).
    static let localChunkLocationSQL = """
        SELECT path, offset FROM chunkLocation WHERE hash = ?1 AND folderID = ?2
        UNION ALL SELECT path, 0 FROM file INDEXED BY file_contentHash WHERE contentHash = ?3 AND folderID = ?2 AND \(holdsInlineChunk)
        LIMIT 1
        """

    /// The condition on a `file` row (with the chunk's hash as `?1`) that it is a live local
    /// one-chunk file of that chunk: its content hash (looked up by index) says so, and its
    /// inline list confirms it (a content hash is a peer's claim when the file was pulled).
    static let holdsInlineChunk = "device = '' AND kind = 0 AND deleted = 0 AND substr(inlineChunks, 5) = ?1"

    /// Local records with a sequence above `sequence`, in sequence order, streamed to `body`.
    public func forEachLocalRecord(folderID: String, since sequence: UInt64, _ body: (FileRecord) throws -> Void) throws {
        try database.pool.read { db in
            let cursor = try FileRow.fetchCursor(db, sql: "SELECT * FROM file WHERE folderID = ? AND device = '' AND sequence > ? ORDER BY sequence",
                                                 arguments: [folderID, Int64(bitPattern: sequence)])
            while let row = try cursor.next() { try body(RowCoding.record(row, chunks: try Self.chunks(db, row))) }
        }
    }

    // MARK: Paged queries (IndexStore)

    /// Rows of `sql` (which selects ``RowCoding/fileColumns`` in that order) with their records,
    /// `values` bound to its parameters in order. Statements are prepared once per connection and
    /// cached, and stepped directly (``DirectStatement``: GRDB's row cursor and arguments cost
    /// ~28k instructions per call); the chunk lists are read only when `withChunks` (status and
    /// need counting do without them).
    func records(_ db: Database, _ sql: String, _ values: [DatabaseValue], withChunks: Bool = true) throws -> [DecodedFileRow] {
        try records(db, sql, withChunks: withChunks) { statement in for v in values { try statement.bind(v) } }
    }

    /// ``records(_:_:_:withChunks:)`` with the parameters bound by `bind` (the per-file look-ups:
    /// no array of `DatabaseValue`s built and switched over for every call).
    func records(_ db: Database, _ sql: String, withChunks: Bool = true, bind: (inout DirectStatement) throws -> Void) throws -> [DecodedFileRow] {
        try records(db, DirectStatement(db, sql: sql), withChunks: withChunks, bind: bind)
    }

    /// ``records(_:_:withChunks:bind:)`` on a statement already at hand (a ``HotStatements`` one).
    /// Rows are decoded in place (``DecodedFileRow``); an inline chunk list comes with its row
    /// (decoded even without `withChunks`: no lookup).
    func records(_ db: Database, _ statement: DirectStatement, withChunks: Bool = true, bind: (inout DirectStatement) throws -> Void) throws -> [DecodedFileRow] {
        var statement = statement
        statement.begin()
        try bind(&statement)
        var rows: [DecodedFileRow] = []
        try statement.forEachRow { rows.append(DecodedFileRow($0)); return true }
        guard withChunks else { return rows }
        // Chunk lists are read after the page's statement is done (one statement active at a time).
        var lists: [ContentHash: [ChunkInfo]] = [:]   // rows of one page often share content
        var listStatement: DirectStatement?
        for i in rows.indices where rows[i].needsList {
            let r = rows[i].record
            let chunks: [ChunkInfo]
            if let known = lists[r.contentHash] { chunks = known } else {
                if listStatement == nil { listStatement = try hot.statement(.chunkList, db) }
                chunks = try Self.listedChunks(listStatement!, r)
                if lists.count < 64 { lists[r.contentHash] = chunks }
            }
            rows[i].record.chunks = chunks
            rows[i].needsList = false
        }
        return rows
    }

    /// The chunk list of `r` (a live file whose list is not inline) from `chunkList` through
    /// `statement` (of ``chunkListSQL``). A non-empty file without its list is an error
    /// (retried): never an empty file by mistake.
    static func listedChunks(_ statement: DirectStatement, _ r: FileRecord) throws -> [ChunkInfo] {
        guard let chunks = try storedChunks(statement, r.contentHash) else {
            if r.size > 0 { throw IndexStoreError.missingChunkList(path: r.path.string) }
            return []
        }
        return chunks
    }

    /// The stored chunk list of `contentHash` through `statement` (of ``chunkListSQL``), decoded
    /// from SQLite's own buffer (no `Data` for the hash or the list); nil if there is none.
    static func storedChunks(_ statement: DirectStatement, _ contentHash: ContentHash) throws -> [ChunkInfo]? {
        var statement = statement
        statement.begin()
        try statement.bind(contentHash)
        return try statement.fetchFirst { $0.withBlob(0) { RowCoding.decodeChunks($0) } }
    }

    /// ``IndexStore`` requirement: `body`'s look-ups (each on the writer's connection, as all the
    /// engine's) run in one deferred transaction. Alone, each statement is a read transaction of
    /// its own: two `fcntl` calls on the WAL index's read lock and a look at its header, about half
    /// the cost of a point look-up (5.9 against 3.0 µs, measured with Python's sqlite3 on a
    /// 20k-row index). Inside a transaction already (or when BEGIN fails), `body` just runs.
    public func readTogether<T>(_ body: () -> T) -> T {
        database.pool.unsafeReentrantWrite { db in
            guard !db.isInsideTransaction, (try? db.beginTransaction(.deferred)) != nil else { return body() }
            let result = body()
            // Nothing was written: a failed COMMIT only leaves the transaction to roll back.
            if (try? db.commit()) == nil { try? db.rollback() }
            return result
        }
    }

    /// ``IndexStore`` requirement.
    public func localEntry(folderID: String, path: SyncPath, withChunks: Bool) throws -> LocalEntry? {
        try database.pool.unsafeReentrantWrite { db in
            try records(db, hot.statement(.localEntry, db), withChunks: withChunks) { try $0.bind(folderID); try $0.bind(path.string) }
                .first?.localEntry
        }
    }

    /// The queries of the per-file look-ups, built once (each call hashes its SQL to find the
    /// connection's cached statement; an interpolated string was also built every call).
    static let localEntrySQL = "SELECT \(RowCoding.fileColumns) FROM file WHERE folderID = ? AND device = '' AND path = ?"
    static let remoteRecordsSQL = "SELECT \(RowCoding.fileColumns) FROM file WHERE folderID = ? AND path = ? AND device != ''"
    static let localRecordsSQL = "SELECT \(RowCoding.fileColumns) FROM file WHERE folderID = ? AND device = '' AND sequence > ? ORDER BY sequence LIMIT ?"
    static let localEntriesSQL = "SELECT \(RowCoding.fileColumns) FROM file WHERE folderID = ? AND device = '' AND path > ? ORDER BY path LIMIT ?"

    /// ``IndexStore`` requirement.
    public func remoteRecords(folderID: String, path: SyncPath, withChunks: Bool) throws -> [String: FileRecord] {
        try database.pool.unsafeReentrantWrite { db in
            var out: [String: FileRecord] = [:]
            for row in try records(db, hot.statement(.remoteRecords, db), withChunks: withChunks, bind: { try $0.bind(folderID); try $0.bind(path.string) }) {
                out[row.device] = row.record
            }
            return out
        }
    }

    /// The query of ``remoteChunkCount(folderID:device:path:)``. The device is compared to
    /// `CAST(? AS TEXT)`, not to a bare parameter: SQLite would re-prepare a statement for every
    /// new device bound to `device = ?` (the value decides whether `file_localSequence`, whose
    /// condition is `device = ''`, applies), ~280k instructions a call.
    static let remoteChunkCountSQL = """
        SELECT CASE WHEN f.kind = 0 AND f.deleted = 0 THEN COALESCE(length(f.inlineChunks), length(c.chunks), 0) / 36 ELSE 0 END
        FROM file f LEFT JOIN chunkList c ON c.contentHash = f.contentHash
        WHERE f.folderID = ? AND f.device = CAST(? AS TEXT) AND f.path = ?
        """

    /// ``IndexStore`` requirement.
    public func remoteChunkCount(folderID: String, device: String, path: SyncPath) throws -> Int? {
        try database.pool.unsafeReentrantWrite { db in
            var statement = try DirectStatement(db, sql: Self.remoteChunkCountSQL)
            statement.begin()
            try statement.bind(folderID); try statement.bind(device); try statement.bind(path.string)
            return try statement.fetchFirst { Int($0.int64(0)) }
        }
    }

    /// ``IndexStore`` requirement.
    public func localRecords(folderID: String, afterSequence sequence: UInt64, limit: Int) throws -> [FileRecord] {
        try database.pool.unsafeReentrantWrite { db in
            try records(db, Self.localRecordsSQL,
                        [folderID.databaseValue, Int64(bitPattern: sequence).databaseValue, limit.databaseValue]).map(\.record)
        }
    }

    /// ``IndexStore`` requirement.
    public func localEntries(folderID: String, after path: SyncPath?, limit: Int, withChunks: Bool) throws -> [LocalEntry] {
        try database.pool.unsafeReentrantWrite { db in
            try records(db, Self.localEntriesSQL,
                        [folderID.databaseValue, (path?.string ?? "").databaseValue, limit.databaseValue],
                        withChunks: withChunks).map(\.localEntry)
        }
    }

    /// The query of ``needCandidates(folderID:after:descending:limit:withChunks:)``: `?1` the
    /// folder, `?2` the path the page starts after (before, when `descending`; unused unless
    /// `bounded`), `?3` the page's length in paths.
    static func needCandidatesSQL(bounded: Bool, descending: Bool) -> String {
        needCandidatesQueries[(bounded ? 2 : 0) + (descending ? 1 : 0)]
    }

    /// The four variants of ``needCandidatesSQL(bounded:descending:)``, built once.
    static let needCandidatesQueries = [false, true].flatMap { bounded in [false, true].map { makeNeedCandidatesSQL(bounded: bounded, descending: $0) } }

    /// Builds one variant of ``needCandidatesSQL(bounded:descending:)``.
    static func makeNeedCandidatesSQL(bounded: Bool, descending: Bool) -> String {
        let bound = bounded ? (descending ? "AND r.path < ?2" : "AND r.path > ?2") : ""
        let order = descending ? "DESC" : "ASC"
        return """
            SELECT \(RowCoding.qualifiedFileColumns("f")) FROM (
                SELECT DISTINCT r.path AS path FROM file r
                LEFT JOIN file l ON l.folderID = r.folderID AND l.device = '' AND l.path = r.path
                WHERE r.folderID = ?1 AND r.device != '' \(bound) AND (l.path IS NULL AND r.deleted = 0 OR l.path IS NOT NULL AND l.version != r.version)
                ORDER BY r.path \(order) LIMIT ?3
            ) p CROSS JOIN file f ON f.folderID = ?1 AND f.path = p.path
            """
    }

    /// ``IndexStore`` requirement: one page of candidate paths (a peer's version differs from
    /// ours) and every device's rows of those paths, in one cached statement.
    ///
    /// The page's paths drive the outer loop (`CROSS JOIN` fixes the order): each is looked up
    /// in the primary key (folderID, path, device). Left to itself, SQLite's planner (no ANALYZE
    /// statistics) walked every row of the folder for each page and probed an automatic index of
    /// the page, so a walk cost O(folder) per page.
    ///
    /// The rows come out in the page's path order (the subquery walks the key in order and each
    /// path's rows are neighbours in it), so the statement has no outer `ORDER BY`: SQLite would
    /// copy every row of the page into a temporary B-tree to sort it again. SQL promises no
    /// order without one, so the rows are grouped by path here and the page sorted if they ever
    /// came out of order.
    public func needCandidates(folderID: String, after path: SyncPath?, descending: Bool, limit: Int, withChunks: Bool) throws -> [NeedCandidate] {
        try database.pool.unsafeReentrantWrite { db in
            let sql = Self.needCandidatesSQL(bounded: path != nil, descending: descending)
            return Self.candidates(try records(db, sql, [folderID.databaseValue, (path?.string ?? "").databaseValue, limit.databaseValue],
                                               withChunks: withChunks), descending: descending)
        }
    }

    /// ``IndexStore`` requirement.
    public func localTotals(folderID: String) throws -> (files: Int, bytes: UInt64) {
        try database.pool.unsafeReentrantWrite { db in
            let statement = try db.cachedStatement(sql: """
                SELECT COUNT(*), COALESCE(SUM(size), 0) FROM file
                WHERE folderID = ? AND device = '' AND deleted = 0 AND kind = 0 AND path != ''
                """)
            let row = try Row.fetchOne(statement, arguments: [folderID])
            let bytes: Int64 = row?[1] ?? 0
            return (row?[0] ?? 0, UInt64(bitPattern: bytes))
        }
    }

    /// ``IndexStore`` requirement (lists are shared by every folder, so `folderID` is not needed).
    public func chunkList(folderID: String, contentHash: ContentHash) throws -> [ChunkInfo]? {
        try database.pool.unsafeReentrantWrite { db in
            try Self.storedChunks(hot.statement(.chunkList, db), contentHash)
        }
    }

    /// ``IndexStore`` requirement.
    public func localChunkLocation(folderID: String, hash: ContentHash) throws -> (path: SyncPath, offset: UInt64)? {
        try database.pool.unsafeReentrantWrite { db in
            var statement = try hot.statement(.localChunkLocation, db)
            statement.begin()
            try statement.bind(hash); try statement.bind(folderID)
            try statement.bind(RowCoding.oneChunkContentHash(hash))
            return try statement.fetchFirst { (SyncPath($0.string(0)), UInt64(bitPattern: $0.int64(1))) }
        }
    }

    /// ``IndexStore`` requirement: the hashes of `chunkLocation` and of the one-chunk files'
    /// inline lists (a list's 4-byte size, then the hash), read in one statement on the writer's
    /// connection, as the engine's other lookups (no reader connection and its cache for it).
    public func forEachLocalChunkHash(folderID: String, _ body: (ContentHash) -> Void) throws {
        try database.pool.unsafeReentrantWrite { db in
            var statement = try DirectStatement(db, sql: """
                SELECT hash FROM chunkLocation WHERE folderID = ?1
                UNION ALL SELECT substr(inlineChunks, 5) FROM file
                WHERE folderID = ?1 AND device = '' AND kind = 0 AND deleted = 0 AND inlineChunks IS NOT NULL
                """)
            statement.begin()
            try statement.bind(folderID)
            try statement.forEachRow { body(RowCoding.hash($0.data(0))); return true }
        }
    }

    /// ``IndexStore`` requirement.
    public func localCounts(folderID: String) throws -> (entries: Int, files: Int) {
        try database.pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(kind = 0), 0) FROM file WHERE folderID = ? AND device = '' AND deleted = 0",
                                       arguments: [folderID])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// ``IndexStore`` requirement.
    public func stampTombstones(folderID: String, wallClockNanoseconds: Int64) throws {
        try database.pool.write { db in
            // The partial index of local tombstones is named: the planner prefers the primary
            // key's two equalities, which walk every local row.
            try db.execute(sql: "UPDATE file INDEXED BY file_tombstoneOnly SET deletedAt = ? WHERE folderID = ? AND device = '' AND deleted = 1 AND deletedAt IS NULL",
                           arguments: [wallClockNanoseconds, folderID])
        }
    }

    /// The query of ``expirableTombstones(folderID:maxSequence:stampedBefore:after:limit:)``,
    /// on the partial index of local tombstones (see ``stampTombstones(folderID:wallClockNanoseconds:)``).
    static let expirableTombstonesSQL = """
        SELECT \(RowCoding.fileColumns) FROM file INDEXED BY file_tombstoneOnly WHERE folderID = ? AND device = '' AND deleted = 1 AND path > ?
        AND sequence <= ? AND deletedAt IS NOT NULL AND deletedAt <= ? ORDER BY path LIMIT ?
        """

    /// ``IndexStore`` requirement.
    public func expirableTombstones(folderID: String, maxSequence: UInt64, stampedBefore: Int64, after path: SyncPath?,
                                    limit: Int) throws -> [FileRecord] {
        try database.pool.read { db in
            try records(db, Self.expirableTombstonesSQL, [folderID.databaseValue, (path?.string ?? "").databaseValue, Int64(bitPattern: maxSequence).databaseValue,
                   stampedBefore.databaseValue, limit.databaseValue]).map(\.record)
        }
    }
}
