import GRDB
import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// ``SQLiteIndexStore/readTogether(_:)``: look-ups inside it see what was committed, it leaves
/// no transaction open (the next commit and its readers work), and it nests.
@Suite struct ReadTogetherTests {
    @Test func lookUpsInsideSeeCommitsAndLeaveNoTransactionOpen() throws {
        let path = tempDatabasePath()
        defer { removeDatabaseDirectory(path) }
        let store = SQLiteIndexStore(database: try SyncDatabase(path: path))
        _ = try store.loadFolder("f", newIndexID: 1)
        let v1 = VersionVector().incremented(by: 1)
        var batch = IndexBatch(folderID: "f")
        batch.local = [LocalEntry(record: fileRecord("mine", "m", version: v1, sequence: 1), state: nil)]
        batch.remote = [("peer", twoChunkRecord("theirs", "two chunks here", cut: 4, version: v1, sequence: 3))]
        try store.commit(batch)

        let (mine, count, inner) = store.readTogether {
            let mine = try? store.localEntry(folderID: "f", path: SyncPath("mine"), withChunks: false)
            let count = try? store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("theirs"))
            let inner = store.readTogether { try? store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("none")) }
            return (mine, count, inner)
        }
        #expect(mine?.record.path == SyncPath("mine"))
        #expect(count == 2)
        #expect(inner == nil)
        let open = store.database.pool.writeWithoutTransaction { $0.isInsideTransaction }
        #expect(!open)

        // The next commit goes through, and a look-up together with others sees it.
        var next = IndexBatch(folderID: "f")
        next.remote = [("peer", fileRecord("theirs", "one", version: v1.incremented(by: 1), sequence: 4))]
        try store.commit(next)
        let after = store.readTogether { try? store.remoteChunkCount(folderID: "f", device: "peer", path: SyncPath("theirs")) }
        #expect(after == 1)
    }
}
