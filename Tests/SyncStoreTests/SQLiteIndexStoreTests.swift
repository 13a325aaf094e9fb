#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

func tempDatabasePath() -> String {
    var template = Array("/tmp/peersync-db-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
        guard let base = buf.baseAddress else { return false }
        return mkdtemp(base) != nil
    }
    precondition(made, "mkdtemp failed")
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/index.db"
}

/// Removes the directory `tempDatabasePath` made for `path` (open files are simply unlinked).
func removeDatabaseDirectory(_ path: String) {
    try? LocalFileSystem(root: "/").removeRecursively(String(path.dropFirst().dropLast("/index.db".count)))
}

func hash(_ s: String) -> ContentHash { SHA256Hasher.hash(Array(s.utf8)) }

func fileRecord(_ path: String, _ content: String, version: VersionVector, sequence: UInt64) -> FileRecord {
    let chunks = [ChunkInfo(size: UInt32(content.utf8.count), hash: hash(content))]
    return FileRecord(path: SyncPath(path), kind: .file, size: UInt64(content.utf8.count), permissions: 0o644,
                      mtimeNanoseconds: 1_000, modifiedBy: 1, version: version, sequence: sequence,
                      contentHash: SHA256Hasher.contentHash(of: chunks), chunks: chunks)
}

@Suite struct SQLiteIndexStoreTests {
    @Test func migratesToWALWithNormalSync() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let db = try SyncDatabase(path: path)
        #expect(try db.journalMode() == "wal")
        #expect(try db.synchronousLevel() == 1)
        let applied = try db.pool.read { try SyncDatabase.migrator.appliedMigrations($0) }
        #expect(applied == ["v1-index", "v2-tombstones", "v3-chunklist-references", "v4-inline-chunk-lists-partial-indexes",
                           "v5-file-keyed-by-path"])
    }

    @Test func commitAndReloadRoundTrip() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let v1 = VersionVector().incremented(by: 1)
        let state = LocalFileState(kind: .file, size: 5, permissions: 0o644, mtimeNanoseconds: 1_000, ctimeNanoseconds: 2_000, inode: 77)
        do {
            let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
            let fresh = try store.loadFolder("f", newIndexID: 0xDEAD_BEEF_0000_0001)
            #expect(fresh.indexID == 0xDEAD_BEEF_0000_0001 && fresh.local.isEmpty)
            var batch = IndexBatch(folderID: "f")
            batch.local = [LocalEntry(record: fileRecord("a.txt", "hello", version: v1, sequence: 1), state: state),
                           LocalEntry(record: FileRecord(path: SyncPath("d"), kind: .directory, version: v1, sequence: 2), state: nil)]
            batch.remote = [("peer", fileRecord("a.txt", "hello", version: v1, sequence: 9)),
                            ("peer", fileRecord("b.txt", "world", version: v1, sequence: 10))]
            batch.progress = ["peer": RemoteProgress(indexID: 5, maxSequence: 10)]
            try store.commit(batch)
            try store.saveDevice(id: "PEER-ID", name: "peer")
        }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        let loaded = try store.loadFolder("f", newIndexID: 1)
        #expect(loaded.indexID == 0xDEAD_BEEF_0000_0001)
        #expect(loaded.local.count == 2)
        #expect(loaded.local[0].record == fileRecord("a.txt", "hello", version: v1, sequence: 1))
        #expect(loaded.local[0].state == state)
        #expect(loaded.remote["peer"]?.count == 2)
        #expect(loaded.progress["peer"] == RemoteProgress(indexID: 5, maxSequence: 10))
        #expect(try store.devices().map(\.id) == ["PEER-ID"])
        // One-chunk lists stay in their rows (InlineChunkListTests covers longer ones).
        let lists = try store.database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chunkList") }
        #expect(lists == 0)
        let where_ = try store.chunkLocations(hash("hello"))
        #expect(where_.count == 1 && where_.first?.path == SyncPath("a.txt") && where_.first?.offset == 0)

        var drop = IndexBatch(folderID: "f")
        drop.droppedPeers = ["peer"]
        try store.commit(drop)
        #expect(try store.loadFolder("f", newIndexID: 1).remote.isEmpty)
    }

    @Test func needCandidatesAreStreamedInPathOrder() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.loadFolder("f", newIndexID: 1)
        let v1 = VersionVector().incremented(by: 1), v2 = v1.incremented(by: 2)
        var batch = IndexBatch(folderID: "f")
        for i in 0..<500 {
            let name = "file\(1000 + i)"
            batch.local.append(LocalEntry(record: fileRecord(name, "x\(i)", version: v1, sequence: UInt64(i + 1)), state: nil))
            // Every fifth file changed on the peer; the rest are equal.
            let v = i % 5 == 0 ? v2 : v1
            batch.remote.append(("peer", fileRecord(name, i % 5 == 0 ? "y\(i)" : "x\(i)", version: v, sequence: UInt64(i + 1))))
        }
        batch.remote.append(("peer", fileRecord("zzz-new", "new", version: v2, sequence: 999)))
        try store.commit(batch)
        var seen: [SyncPath] = []
        try store.forEachNeedCandidate(folderID: "f") { path, local, remote in
            seen.append(path)
            #expect(remote["peer"]?.version != local?.version)
            return true
        }
        #expect(seen.count == 101)
        #expect(seen == seen.sorted())
        #expect(seen.last == SyncPath("zzz-new"))
        var firstThree = 0
        try store.forEachNeedCandidate(folderID: "f") { _, _, _ in firstThree += 1; return firstThree < 3 }
        #expect(firstThree == 3)
        var since: [UInt64] = []
        try store.forEachLocalRecord(folderID: "f", since: 495) { since.append($0.sequence) }
        #expect(since == [496, 497, 498, 499, 500])
    }

    /// A peer's tombstone for a path we never had is nothing to pull (no candidate, in both
    /// stores); a tombstone for a path we hold, or a live record beside one, still is.
    @Test func tombstonesOfPathsNeverHeldAreNoCandidates() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let sqlite = SQLiteIndexStore(database: try SyncDatabase(path: path))
        let memory = MemoryIndexStore()
        let v1 = VersionVector().incremented(by: 1), v2 = v1.incremented(by: 2)
        func tombstone(_ p: String, _ v: VersionVector, _ seq: UInt64) -> FileRecord {
            FileRecord(path: SyncPath(p), kind: .file, deleted: true, version: v, sequence: seq)
        }
        var batch = IndexBatch(folderID: "f")
        batch.local.append(LocalEntry(record: fileRecord("held", "x", version: v1, sequence: 1), state: nil))
        batch.remote.append(("peer", tombstone("held", v2, 1)))
        batch.remote.append(("peer", tombstone("never-had", v2, 2)))
        batch.remote.append(("peer", tombstone("mixed", v2, 3)))
        batch.remote.append(("other", fileRecord("mixed", "y", version: v1, sequence: 1)))
        for store in [sqlite, memory] as [any IndexStore] {
            _ = try store.loadFolder("f", newIndexID: 1)
            try store.commit(batch)
            let candidates = try store.needCandidates(folderID: "f", after: nil, descending: false, limit: 10)
            #expect(candidates.map(\.path) == [SyncPath("held"), SyncPath("mixed")], "\(type(of: store))")
        }
    }

    /// A chunk list is found by its content hash whether a local or a peer's record names it
    /// (the pull walk reads pages without lists and fetches the one it pulls); unknown is nil.
    @Test func chunkListsAreFoundByContentHash() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let sqlite = SQLiteIndexStore(database: try SyncDatabase(path: path))
        let memory = MemoryIndexStore()
        let v1 = VersionVector().incremented(by: 1)
        let mine = fileRecord("a", "local content", version: v1, sequence: 1)
        let theirs = fileRecord("b", "peer content", version: v1, sequence: 1)
        var batch = IndexBatch(folderID: "f")
        batch.local.append(LocalEntry(record: mine, state: nil))
        batch.remote.append(("peer", theirs))
        for store in [sqlite, memory] as [any IndexStore] {
            _ = try store.loadFolder("f", newIndexID: 1)
            try store.commit(batch)
            #expect(try store.chunkList(folderID: "f", contentHash: mine.contentHash) == mine.chunks, "\(type(of: store))")
            #expect(try store.chunkList(folderID: "f", contentHash: theirs.contentHash) == theirs.chunks, "\(type(of: store))")
            #expect(try store.chunkList(folderID: "f", contentHash: fileRecord("c", "nobody", version: v1, sequence: 1).contentHash) == nil)
        }
    }

    /// Chunk lists no row refers to any more are swept; those in use (locally, by a peer, in
    /// another folder) stay; a row whose list is missing is an error, never an empty file.
    /// (Two-chunk files: a one-chunk file's list is kept in its row, not in `chunkList`.)
    @Test func unusedChunkListsAreSweptAndUsedOnesKept() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.loadFolder("f", newIndexID: 1)
        _ = try store.loadFolder("g", newIndexID: 2)
        let v1 = VersionVector().incremented(by: 1), v2 = v1.incremented(by: 1)
        var batch = IndexBatch(folderID: "f")
        batch.local.append(LocalEntry(record: twoChunkRecord("a", "old a", cut: 2, version: v1, sequence: 1), state: nil))
        batch.local.append(LocalEntry(record: twoChunkRecord("shared", "in both folders", cut: 3, version: v1, sequence: 2), state: nil))
        batch.remote.append(("peer", twoChunkRecord("p", "peer only", cut: 4, version: v1, sequence: 1)))
        try store.commit(batch)
        var other = IndexBatch(folderID: "g")
        other.local.append(LocalEntry(record: twoChunkRecord("copy", "in both folders", cut: 3, version: v1, sequence: 1), state: nil))
        try store.commit(other)
        func lists() throws -> Int { try store.database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chunkList") ?? -1 } }
        #expect(try lists() == 3)
        #expect(try store.removeUnusedChunkLists(limit: 100) == 0, "every list is in use")

        // a changes content, the peer is dropped, folder f's shared file is deleted.
        var change = IndexBatch(folderID: "f")
        let newA = twoChunkRecord("a", "new a", cut: 2, version: v2, sequence: 3)
        change.local.append(LocalEntry(record: newA, state: nil))
        var gone = fileRecord("shared", "", version: v2, sequence: 4)
        gone.deleted = true; gone.chunks = []
        change.local.append(LocalEntry(record: gone, state: nil))
        change.droppedPeers = ["peer"]
        try store.commit(change)
        #expect(try store.removeUnusedChunkLists(limit: 1) == 1, "the sweep is bounded")
        #expect(try store.removeUnusedChunkLists(limit: 100) == 1)
        #expect(try lists() == 2, "new a, and the list folder g still uses")
        #expect(try store.localEntry(folderID: "f", path: SyncPath("a"))?.record.chunks == newA.chunks)
        #expect(try store.localEntry(folderID: "g", path: SyncPath("copy"))?.record.chunks.first?.hash == hash("in "))

        // A live row without its list is reported, not read as an empty file.
        try store.database.pool.write { try $0.execute(sql: "DELETE FROM chunkList") }
        #expect(throws: IndexStoreError.missingChunkList(path: "a")) {
            try store.localEntry(folderID: "f", path: SyncPath("a"))
        }
        #expect(try store.localEntry(folderID: "f", path: SyncPath("a"), withChunks: false)?.record.size == 5)
    }
}
