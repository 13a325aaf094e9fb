import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// The deletion pass at each need walk's end reads only the deletion candidates
/// (``IndexStore/deletionCandidates(folderID:before:limit:)``), never the whole need, and still
/// deletes exactly what the peers deleted, guarded and exclusions kept.
@Suite struct DeletionPassTests {
    @Test func walkEndsOfAnInitialSyncReadNoCandidates() throws {
        // Small pages and few pulls at a time: many walk ends while candidates are still needed.
        let c = try Cluster(count: 2, seed: 71) { i, config in if i == 1 { config.maxActivePulls = 3; config.indexBatchRecords = 8 } }
        c.connectAll()
        try c.fss[0].makeDirectories("d")
        for i in 0..<40 { try c.fss[0].writeAll("d/f\(i).txt", Array("file \(i)".utf8)) }
        _ = c.converge()
        #expect(c.allTreesEqual())
        #expect(c.stores[1].deletionCandidateReads > 0, "walk ends ran their deletion pass")
        #expect(c.engines[1].deletionCandidatesRead == 0, "nothing to delete: no candidate read")
    }

    @Test func deletesExactlyWhatThePeerDeletedDeepestFirst() throws {
        let c = try Cluster(count: 2, seed: 72) { i, config in if i == 1 { config.indexBatchRecords = 2 } }
        c.connectAll()
        try c.fss[0].makeDirectories("gone/sub")
        for name in ["gone/a", "gone/sub/b", "keep1", "keep2", "x", "y"] + (0..<14).map({ "k\($0)" }) {
            try c.fss[0].writeAll(name, Array(name.utf8))
        }
        _ = c.converge()
        #expect(c.engines[1].deletionCandidatesRead == 0)
        try c.fss[0].removeRecursively("gone")
        try c.fss[0].remove("x")
        _ = c.converge()
        #expect(c.allTreesEqual())
        for path in ["gone", "gone/sub", "gone/a", "gone/sub/b", "x"] { #expect(try c.fss[1].info(path) == nil, "\(path)") }
        #expect(try c.fss[1].readAll("y") == Array("y".utf8))
        #expect(c.engines[1].deletionCandidatesRead >= 5, "pages of two, read for the guard's count and to delete")
        #expect(!c.events[1].contains { if case .massDeletionBlocked = $0 { true } else { false } })
    }

    /// A receive-only cluster of 20 synced files whose f0 the receiver changed, after the peer
    /// removed the first `removed` files.
    func receiveOnlyCluster(seed: UInt64, removed: Int) throws -> Cluster {
        let c = try Cluster(count: 2, seed: seed) { i, config in if i == 1 { config.mode = .receiveOnly } }
        c.connectAll()
        for i in 0..<20 { try c.fss[0].writeAll("f\(i).txt", Array("\(i)".utf8)) }
        _ = c.converge()
        // A receive-only change on f0: never deleted by the peer's deletion, not counted by the guard.
        try c.fss[1].writeAll("f0.txt", Array("mine".utf8))
        _ = c.converge()
        for i in 0..<removed { try c.fss[0].remove("f\(i).txt") }
        _ = c.converge(maxRounds: 3)
        return c
    }

    @Test func massDeletionGuardCountsOnlyFilesNotChangedLocally() throws {
        let c = try receiveOnlyCluster(seed: 73, removed: 12)
        #expect(c.events[1].contains(.massDeletionBlocked(count: 11)), "f1...f11 of 20")
        #expect(try c.fss[1].list("").filter { $0.hasSuffix(".txt") }.count == 20)
        // Under the share: deleted, the changed file kept.
        let d = try receiveOnlyCluster(seed: 74, removed: 3)
        #expect(try d.fss[1].readAll("f0.txt") == Array("mine".utf8))
        #expect(try d.fss[1].info("f1.txt") == nil && d.fss[1].info("f2.txt") == nil)
        #expect(try d.fss[1].readAll("f3.txt") == Array("3".utf8))
    }
}
