import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// ``IndexStore/deletionCandidates(folderID:before:limit:)`` on SQLite and in memory: exactly the
/// paths we hold live that some peer's tombstone of another version names, deepest first, paged.
@Suite struct DeletionCandidatesTests {
    /// One folder: `live*` ours and live at both peers, `gone*` deleted by peer `a` (and at `b`
    /// for `gone2`), `same` a tombstone we already have, `never` a tombstone of a path we never
    /// had, `newer` a peer's tombstone of our older version while another peer has a live copy.
    func fill(_ store: some IndexStore) throws {
        _ = try store.openFolder("f", newIndexID: 1)
        let v1 = VersionVector().incremented(by: 1)
        let v2 = v1.incremented(by: 2)
        var batch = IndexBatch(folderID: "f")
        for name in ["live1", "live2", "gone1", "gone2", "dir/gone3", "newer"] {
            batch.local.append(LocalEntry(record: fileRecord(name, name, version: v1, sequence: 1), state: nil))
        }
        batch.local.append(LocalEntry(record: FileRecord(path: SyncPath("same"), kind: .file, deleted: true, version: v2), state: nil))
        for name in ["live1", "live2", "newer"] { batch.remote.append(("b", fileRecord(name, name, version: v1, sequence: 1))) }
        for name in ["gone1", "gone2", "dir/gone3", "same", "never", "newer"] {
            batch.remote.append(("a", FileRecord(path: SyncPath(name), kind: .file, deleted: true, version: v2, sequence: 2)))
        }
        batch.remote.append(("b", FileRecord(path: SyncPath("gone2"), kind: .file, deleted: true, version: v2, sequence: 2)))
        batch.remote.append(("a", fileRecord("live1", "live1", version: v1, sequence: 1)))
        try store.commit(batch)
    }

    func check(_ store: some IndexStore) throws {
        try fill(store)
        let all = try store.deletionCandidates(folderID: "f", before: nil, limit: 100)
        #expect(all.map(\.path.string) == ["newer", "gone2", "gone1", "dir/gone3"])
        #expect(all[1].remote.keys.sorted() == ["a", "b"], "every peer's record of the path")
        #expect(all[0].remote["b"]?.deleted == false && all[0].local?.record.deleted == false)
        // Paged: two at a time, each page before the last one's end.
        let first = try store.deletionCandidates(folderID: "f", before: nil, limit: 2)
        let second = try store.deletionCandidates(folderID: "f", before: first.last?.path, limit: 2)
        let third = try store.deletionCandidates(folderID: "f", before: second.last?.path, limit: 2)
        #expect((first + second).map(\.path) == all.map(\.path) && third.isEmpty)
        // The same paths as the need candidates whose records delete one of ours.
        let fromNeed = try store.needCandidates(folderID: "f", after: nil, descending: true, limit: 100, withChunks: false)
            .filter { c in c.local?.record.deleted == false && c.remote.values.contains { $0.deleted && $0.version != c.local?.record.version } }
        #expect(fromNeed.map(\.path) == all.map(\.path))
        #expect(try store.deletionCandidates(folderID: "other", before: nil, limit: 10).isEmpty)
    }

    @Test func memoryStore() throws {
        let store = MemoryIndexStore()
        try check(store)
        #expect(store.deletionCandidateReads == 5)
    }

    @Test func sqliteStore() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        try check(SQLiteIndexStore(database: try SyncDatabase(path: path)))
    }

    /// The page is found through the peers' tombstones (the partial index), never a walk over
    /// every row of the folder.
    @Test func sqliteReadsThePeersTombstonesOnly() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        for sql in SQLiteIndexStore.deletionCandidatesQueries {
            let plan = try store.database.pool.read { try queryPlan($0, sql) }
            #expect(plan.contains { $0.contains("file_tombstoneOnly") }, "\(plan)")
            #expect(!plan.contains { ["SCAN r", "SCAN l", "SCAN f"].contains($0) }, "no whole-table walk: \(plan)")
        }
    }
}
