import Foundation
import GRDB

/// The index database: one SQLite file in WAL mode with `synchronous=NORMAL`, one writer.
///
/// Migrations are named `v1-…`, `v2-…` and never edited once released.
public final class SyncDatabase: Sendable {
    /// The GRDB pool (one writer, concurrent readers).
    public let pool: DatabasePool
    /// Checkpoints the WAL off the committing thread (see ``WALCheckpointer``).
    let checkpointer: WALCheckpointer

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Readers (status counts, peers' index pages) get a small page cache each — the OS
            // caches the file — so a pool of them does not hold 2 MiB apiece; the writer keeps
            // SQLite's default.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -512") }
        }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
        checkpointer = try WALCheckpointer(path: path)
        let checkpointer = checkpointer
        pool.writeWithoutTransaction { db in checkpointer.install(on: db) }
    }

    /// Waits until the background checkpoints asked for so far are done (tests, benchmarks).
    public func waitForCheckpoints() { checkpointer.waitForIdle() }

    /// Background checkpoints run so far.
    public var checkpointsRun: Int { checkpointer.checkpointsRun }

    /// The schema history.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-index") { db in
            try db.create(table: "folder") { t in
                t.primaryKey("id", .text)
                t.column("indexID", .integer).notNull()
            }
            try db.create(table: "device") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
            }
            try db.create(table: "file") { t in
                t.column("folderID", .text).notNull()
                t.column("device", .text).notNull()
                t.column("path", .text).notNull()
                t.column("kind", .integer).notNull()
                t.column("deleted", .boolean).notNull()
                t.column("size", .integer).notNull()
                t.column("permissions", .integer).notNull()
                t.column("mtime", .integer).notNull()
                t.column("modifiedBy", .integer).notNull()
                t.column("version", .blob).notNull()
                t.column("sequence", .integer).notNull()
                t.column("contentHash", .blob).notNull()
                t.column("symlinkTarget", .text).notNull()
                t.column("inode", .integer)
                t.column("ctime", .integer)
                t.column("diskMtime", .integer)
                t.column("diskSize", .integer)
                t.column("diskPermissions", .integer)
                t.column("diskKind", .integer)
                t.primaryKey(["folderID", "device", "path"])
            }
            try db.create(index: "file_sequence", on: "file", columns: ["folderID", "device", "sequence"])
            try db.create(index: "file_path", on: "file", columns: ["folderID", "path"])
            try db.create(table: "chunkList") { t in
                t.primaryKey("contentHash", .blob)
                t.column("chunks", .blob).notNull()
            }
            try db.create(table: "chunkLocation") { t in
                t.column("hash", .blob).notNull()
                t.column("folderID", .text).notNull()
                t.column("path", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("size", .integer).notNull()
                t.primaryKey(["folderID", "path", "offset"])
            }
            try db.create(index: "chunkLocation_hash", on: "chunkLocation", columns: ["hash"])
            try db.create(table: "remoteProgress") { t in
                t.column("folderID", .text).notNull()
                t.column("device", .text).notNull()
                t.column("indexID", .integer).notNull()
                t.column("maxSequence", .integer).notNull()
                t.primaryKey(["folderID", "device"])
            }
        }
        m.registerMigration("v2-tombstones") { db in
            try db.alter(table: "file") { t in t.add(column: "deletedAt", .integer) }
            try db.alter(table: "remoteProgress") { t in t.add(column: "acknowledgedSequence", .integer).notNull().defaults(to: 0) }
            try db.create(index: "file_tombstone", on: "file", columns: ["folderID", "device", "deleted", "path"])
        }
        m.registerMigration("v3-chunklist-references") { db in
            // Finds the rows still using a chunk list, so unused lists can be swept.
            try db.create(index: "file_contentHash", on: "file", columns: ["contentHash"])
        }
        m.registerMigration("v4-inline-chunk-lists-partial-indexes") { db in
            // A one-chunk file's list lives in its row (see FileRow.inlineChunks); rows written
            // before keep theirs in chunkList and chunkLocation, which are still read.
            try db.alter(table: "file") { t in t.add(column: "inlineChunks", .blob) }
            // Indexes that only local rows (or only tombstones) need no longer take a peer's
            // row or a live file: each row written costs one or two B-tree inserts less. SQLite
            // re-prepares a statement on every new value bound to a column that a partial
            // index's condition names (`device = ?`, `deleted = ?`): such queries compare
            // `device` to an expression instead (see SQLiteIndexStore.remoteChunkCountSQL).
            try db.drop(index: "file_sequence")
            try db.execute(sql: "CREATE INDEX file_localSequence ON file(folderID, sequence) WHERE device = ''")
            try db.drop(index: "file_tombstone")
            try db.execute(sql: "CREATE INDEX file_tombstoneOnly ON file(folderID, device, path) WHERE deleted = 1")
        }
        m.registerMigration("v5-file-keyed-by-path") { db in
            // The primary key puts the path before the device, so a path's rows (local and every
            // peer's) are neighbours in it and `file_path` (folderID, path) is redundant: each row
            // written costs one B-tree insert less, and the need walk's page and a path's lookups
            // search the key itself. SQLite cannot change a key in place: the table is rebuilt
            // (same columns, same order) and its other indexes are made again.
            try db.execute(sql: """
                CREATE TABLE file_v5 (
                    folderID TEXT NOT NULL, device TEXT NOT NULL, path TEXT NOT NULL, kind INTEGER NOT NULL,
                    deleted BOOLEAN NOT NULL, size INTEGER NOT NULL, permissions INTEGER NOT NULL, mtime INTEGER NOT NULL,
                    modifiedBy INTEGER NOT NULL, version BLOB NOT NULL, sequence INTEGER NOT NULL, contentHash BLOB NOT NULL,
                    symlinkTarget TEXT NOT NULL, inode INTEGER, ctime INTEGER, diskMtime INTEGER, diskSize INTEGER,
                    diskPermissions INTEGER, diskKind INTEGER, deletedAt INTEGER, inlineChunks BLOB,
                    PRIMARY KEY (folderID, path, device))
                """)
            // The column list is written out (frozen with the migration), not taken from RowCoding.
            let columns = """
                folderID, device, path, kind, deleted, size, permissions, mtime, modifiedBy, version, sequence, contentHash,
                symlinkTarget, inode, ctime, diskMtime, diskSize, diskPermissions, diskKind, deletedAt, inlineChunks
                """
            try db.execute(sql: "INSERT INTO file_v5 (\(columns)) SELECT \(columns) FROM file ORDER BY folderID, path, device")
            try db.drop(table: "file")
            try db.rename(table: "file_v5", to: "file")
            try db.create(index: "file_contentHash", on: "file", columns: ["contentHash"])
            try db.execute(sql: "CREATE INDEX file_localSequence ON file(folderID, sequence) WHERE device = ''")
            try db.execute(sql: "CREATE INDEX file_tombstoneOnly ON file(folderID, device, path) WHERE deleted = 1")
        }
        return m
    }

    /// The journal mode SQLite reports (for tests: "wal").
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// The synchronous level SQLite reports (1 = NORMAL).
    public func synchronousLevel() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}
