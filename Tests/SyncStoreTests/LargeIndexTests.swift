#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// A large index, generated straight into SQLite, goes through index exchange and need
/// computation while the engines hold at most one page of records at a time.
///
/// The index is 100 pages long (5,000 entries in pages of 50) so the test stays fast in debug
/// builds; `PEERSYNC_LARGE_INDEX_ENTRIES` raises the count (200,000 passes too, in about six
/// minutes of a debug build on a loaded machine).
@Suite struct LargeIndexTests {
    static let entries = ProcessInfo.processInfo.environment["PEERSYNC_LARGE_INDEX_ENTRIES"].flatMap { Int($0) } ?? 5_000
    static let page = 50

    /// Writes `count` live file records (one shared 1-chunk content) into `folderID`'s local index.
    static func generate(_ store: SQLiteIndexStore, folderID: String, count: Int, modifier: UInt64) throws {
        let content = Array("large index entry".utf8)
        let chunks = [ChunkInfo(size: UInt32(content.count), hash: SHA256Hasher.hash(content))]
        let contentHash = SHA256Hasher.contentHash(of: chunks)
        let version = RowCoding.encode(VersionVector().incremented(by: modifier))
        try store.database.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO chunkList (contentHash, chunks) VALUES (?, ?)",
                           arguments: [RowCoding.data(contentHash), RowCoding.encode(chunks)])
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO file (folderID, device, path, kind, deleted, size, permissions, mtime, modifiedBy, version, sequence,
                                  contentHash, symlinkTarget)
                SELECT ?, '', printf('f%07d', i), 0, 0, ?, 420, 1000, ?, ?, i, ?, '' FROM n
                """, arguments: [count, folderID, content.count, Int64(bitPattern: modifier), version, RowCoding.data(contentHash)])
        }
    }

    @Test func indexExchangeAndNeedsStayWithinOnePage() throws {
        let paths = [tempDatabasePath(), tempDatabasePath()]
        defer { paths.forEach(removeDatabaseDirectory) }
        let ids = ["AAAAAAA-LARGE", "BBBBBBB-LARGE"]
        let stores = try paths.map { SQLiteIndexStore(database: try SyncDatabase(path: $0)) }
        _ = try stores[0].openFolder("f", newIndexID: 7)
        try Self.generate(stores[0], folderID: "f", count: Self.entries, modifier: FolderEngine.shortID(of: ids[0]))
        var configs = ids.map { FolderConfig(folderID: "f", localDeviceID: $0) }
        for i in configs.indices { configs[i].indexBatchRecords = Self.page }
        configs[1].maxActivePulls = 16
        let a = try FolderEngine(config: configs[0], fs: InMemoryFileSystem(), store: stores[0], newIndexID: 7)
        let b = try FolderEngine(config: configs[1], fs: InMemoryFileSystem(), store: stores[1], newIndexID: 8)
        #expect(a.maxSequence == UInt64(Self.entries))
        a.connect(peer: ids[1], now: .zero)
        b.connect(peer: ids[0], now: .zero)
        // Deliver one frame at a time, as a backpressured stream would.
        var moved = true, frames = 0
        while moved && frames < 4 * Self.entries / Self.page + 1000 {
            moved = false
            if let t = a.pollTransmit() { b.handle(bytes: t.bytes, from: ids[0], now: .zero); moved = true; frames += 1 }
            if let t = b.pollTransmit() { a.handle(bytes: t.bytes, from: ids[1], now: .zero); moved = true; frames += 1 }
        }
        let received = try stores[1].database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM file WHERE device != ''") }
        #expect(received == Self.entries)
        #expect(b.needCount() == Self.entries)
        let page = Self.page
        #expect(a.bufferedRecordsHighWater > 0 && a.bufferedRecordsHighWater <= page, "A held \(a.bufferedRecordsHighWater) records")
        #expect(b.bufferedRecordsHighWater > 0 && b.bufferedRecordsHighWater <= page, "B held \(b.bufferedRecordsHighWater) records")
        #expect(b.activePullsHighWater == 16, "pulls are bounded, and the walk filled the budget")
    }
}
