#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import Testing
@testable import SyncStore

/// WAL checkpoints run on the checkpointer's own connection, not inside the writer's commits,
/// and still keep the WAL from growing without bound.
@Suite struct WALCheckpointerTests {
    func walSize(_ path: String) -> Int {
        var st = stat()
        return stat(path + "-wal", &st) == 0 ? Int(st.st_size) : 0
    }

    @Test func checkpointsRunInTheBackgroundAndTheWALIsReused() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let db = try SyncDatabase(path: path)
        try db.pool.write { try $0.execute(sql: "CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)") }
        let blob = Data(repeating: 7, count: 64 << 10)   // 16 pages per row
        // 12 MiB per round: far past the 1,000-frame threshold (~4 MiB) each time.
        for round in 0..<6 {
            try db.pool.write { d in
                for i in 0..<192 { try d.execute(sql: "INSERT OR REPLACE INTO blob (id, data) VALUES (?, ?)", arguments: [i, blob]) }
            }
            // The writer's commit asked and returned; the checkpoint is the checkpointer's.
            db.waitForCheckpoints()
            #expect(db.checkpointsRun >= round + 1, "round \(round)")
        }
        // Checkpointed WAL frames are reused: six rounds of 12 MiB leave a WAL of about one round.
        #expect(walSize(path) < 30 << 20, "WAL \(walSize(path)) bytes")
        #expect(try db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blob") } == 192)
        // The checkpointer's connection sees the same data (it is the same database file).
        let reopened = try DatabaseQueue(path: path)
        #expect(try reopened.read { try Int.fetchOne($0, sql: "SELECT SUM(length(data)) FROM blob") } == 192 * blob.count)
    }

    @Test func smallCommitsAskForNoCheckpoint() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let db = try SyncDatabase(path: path)
        try db.pool.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER)") }
        for i in 0..<50 { try db.pool.write { try $0.execute(sql: "INSERT INTO t VALUES (?)", arguments: [i]) } }
        db.waitForCheckpoints()
        #expect(db.checkpointsRun == 0)
    }
}
