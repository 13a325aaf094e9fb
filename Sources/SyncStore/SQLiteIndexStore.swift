import Foundation
import GRDB
import SyncFS
import SyncProtocol
import SyncEngine

/// The engine's ``IndexStore`` on SQLite: each ``IndexBatch`` is one write transaction.
///
/// Chunk lists are stored once per content hash; local chunks are indexed by hash in
/// `chunkLocation` so the puller can find a local copy of any chunk in any folder.
public final class SQLiteIndexStore: IndexStore, Sendable {
    /// The database.
    public let database: SyncDatabase

    /// A store on `database`.
    public init(database: SyncDatabase) { self.database = database }

    /// ``IndexStore`` requirement: one write transaction.
    public func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder {
        try database.pool.write { db in
            let folder: FolderRow
            if let f = try FolderRow.fetchOne(db, key: folderID) {
                folder = f
            } else {
                folder = FolderRow(id: folderID, indexID: Int64(bitPattern: newIndexID))
                try folder.insert(db)
            }
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
            for p in try RemoteProgressRow.filter(Column("folderID") == folderID).fetchAll(db) {
                stored.progress[p.device] = RemoteProgress(indexID: UInt64(bitPattern: p.indexID), maxSequence: UInt64(bitPattern: p.maxSequence))
            }
            return stored
        }
    }

    static func chunks(_ db: Database, _ row: FileRow) throws -> [ChunkInfo] {
        guard row.kind == Int(FileKind.file.rawValue), !row.deleted else { return [] }
        guard let list = try ChunkListRow.fetchOne(db, key: row.contentHash) else { return [] }
        return RowCoding.decodeChunks(list.chunks)
    }

    /// ``IndexStore`` requirement: one write transaction.
    public func commit(_ batch: IndexBatch) throws {
        try database.pool.write { db in
            for device in batch.droppedPeers {
                try db.execute(sql: "DELETE FROM file WHERE folderID = ? AND device = ?", arguments: [batch.folderID, device])
                try db.execute(sql: "DELETE FROM remoteProgress WHERE folderID = ? AND device = ?", arguments: [batch.folderID, device])
            }
            for entry in batch.local {
                try Self.saveChunkList(db, entry.record)
                try RowCoding.row(folderID: batch.folderID, device: "", record: entry.record, state: entry.state).save(db)
                try db.execute(sql: "DELETE FROM chunkLocation WHERE folderID = ? AND path = ?", arguments: [batch.folderID, entry.record.path.string])
                if entry.record.kind == .file && !entry.record.deleted {
                    var offset: Int64 = 0
                    for c in entry.record.chunks {
                        try ChunkLocationRow(hash: RowCoding.data(c.hash), folderID: batch.folderID, path: entry.record.path.string,
                                             offset: offset, size: Int(c.size)).insert(db)
                        offset += Int64(c.size)
                    }
                }
            }
            for (device, record) in batch.remote {
                try Self.saveChunkList(db, record)
                try RowCoding.row(folderID: batch.folderID, device: device, record: record, state: nil).save(db)
            }
            for (device, p) in batch.progress {
                try RemoteProgressRow(folderID: batch.folderID, device: device, indexID: Int64(bitPattern: p.indexID),
                                      maxSequence: Int64(bitPattern: p.maxSequence)).save(db)
            }
        }
    }

    static func saveChunkList(_ db: Database, _ record: FileRecord) throws {
        guard record.kind == .file, !record.deleted, !record.chunks.isEmpty else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO chunkList (contentHash, chunks) VALUES (?, ?)",
                       arguments: [RowCoding.data(record.contentHash), RowCoding.encode(record.chunks)])
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
                    WHERE r.folderID = ?1 AND r.device != '' AND (l.path IS NULL OR l.version != r.version))
                ORDER BY f.path, f.device
                """, arguments: [folderID])
            var currentPath: String?
            var local: FileRecord?
            var remote: [String: FileRecord] = [:]
            func flush() throws -> Bool {
                guard let p = currentPath else { return true }
                defer { currentPath = nil; local = nil; remote = [:] }
                return try body(SyncPath(p), local, remote)
            }
            while let row = try cursor.next() {
                if row.path != currentPath {
                    guard try flush() else { return }
                    currentPath = row.path
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
            try ChunkLocationRow.filter(Column("hash") == RowCoding.data(hash)).fetchAll(db).map {
                ($0.folderID, SyncPath($0.path), UInt64(bitPattern: $0.offset))
            }
        }
    }

    /// Local records with a sequence above `sequence`, in sequence order, streamed to `body`.
    public func forEachLocalRecord(folderID: String, since sequence: UInt64, _ body: (FileRecord) throws -> Void) throws {
        try database.pool.read { db in
            let cursor = try FileRow.fetchCursor(db, sql: "SELECT * FROM file WHERE folderID = ? AND device = '' AND sequence > ? ORDER BY sequence",
                                                 arguments: [folderID, Int64(bitPattern: sequence)])
            while let row = try cursor.next() { try body(RowCoding.record(row, chunks: try Self.chunks(db, row))) }
        }
    }
}
