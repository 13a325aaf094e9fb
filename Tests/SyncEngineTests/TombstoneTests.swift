import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Tombstone retention on a virtual wall clock: a deletion is forgotten only after the retention
/// and only once every known peer acknowledged it, and forgetting it never brings the file back.
@Suite struct TombstoneTests {
    static let day: Int64 = 86_400 * 1_000_000_000
    static let start: Int64 = 1_790_000_000 * 1_000_000_000

    @Test func tombstonesExpireAfterRetentionOnceEveryPeerAcknowledged() throws {
        let c = try Cluster(count: 2, seed: 31) { _, config in config.tombstoneRetention = .seconds(30 * 86_400) }
        c.connectAll()
        try c.fss[0].writeAll("gone.txt", [1, 2, 3])
        try c.fss[0].writeAll("kept.txt", [4])
        c.converge()
        try c.fss[0].remove("gone.txt")
        c.converge()
        let gone = SyncPath("gone.txt")
        #expect(c.engines[0].localRecord(gone)?.deleted == true && c.engines[1].localRecord(gone)?.deleted == true)
        // The hellos predate the deletion: neither side has acknowledged the other's tombstone.
        #expect(c.engines.map { $0.expireTombstones(wallClockNanoseconds: Self.start) } == [0, 0])
        #expect(c.engines.map { $0.expireTombstones(wallClockNanoseconds: Self.start + 31 * Self.day) } == [0, 0])
        // A reconnect exchanges hellos, which acknowledge everything received so far.
        c.disconnect(0, 1)
        c.connectAll()
        c.run()
        #expect(c.engines.map { $0.expireTombstones(wallClockNanoseconds: Self.start + 29 * Self.day) } == [0, 0])
        #expect(c.engines.map { $0.expireTombstones(wallClockNanoseconds: Self.start + 30 * Self.day) } == [1, 1])
        #expect(c.engines[0].localRecord(gone) == nil && c.engines[1].localRecord(gone) == nil)
        #expect(c.engines[0].localRecord(SyncPath("kept.txt"))?.deleted == false)
        // Nothing comes back, after a rescan, a reconnect and a restart.
        c.disconnect(0, 1)
        try c.restart(1)
        c.connectAll()
        c.converge()
        #expect(try c.fss[0].info("gone.txt") == nil && c.fss[1].info("gone.txt") == nil)
        #expect(c.engines[0].localRecord(gone) == nil && c.engines[1].localRecord(gone) == nil)
        #expect(c.allTreesEqual())
    }

    @Test func aPeerThatNeverAcknowledgedKeepsTheTombstone() throws {
        let c = try Cluster(count: 3, seed: 32)
        c.connectAll()
        try c.fss[0].writeAll("f.txt", [9])
        c.converge()
        c.disconnect(0, 2)
        c.disconnect(1, 2)
        try c.fss[0].remove("f.txt")
        c.converge()
        c.disconnect(0, 1)
        c.connect(0, 1)
        c.run()
        _ = c.engines[0].expireTombstones(wallClockNanoseconds: Self.start)
        #expect(c.engines[0].expireTombstones(wallClockNanoseconds: Self.start + 365 * Self.day) == 0, "device C never saw the deletion")
        // Once C is back and has acknowledged it, the tombstone can go; C deleted the file too.
        c.connect(0, 2)
        c.connect(1, 2)
        c.converge()
        c.disconnect(0, 2)
        c.connect(0, 2)
        c.run()
        #expect(try c.fss[2].info("f.txt") == nil)
        #expect(c.engines[0].expireTombstones(wallClockNanoseconds: Self.start + 365 * Self.day) == 1)
    }

    @Test func aLiveRemoteRecordKeepsTheTombstone() throws {
        // B's mass-deletion guard keeps its files: B's records still announce them as live, so A
        // must not forget the deletions (forgetting them would let B's files come back).
        let c = try Cluster(count: 2, seed: 33) { i, config in if i == 1 { config.massDeletionMinimum = 1; config.maxDeletionShare = 0 } }
        c.connectAll()
        for i in 0..<3 { try c.fss[0].writeAll("f\(i)", [UInt8(i)]) }
        c.converge()
        for i in 0..<3 { try c.fss[0].remove("f\(i)") }
        c.converge()
        #expect(c.events[1].contains { if case .massDeletionBlocked = $0 { true } else { false } })
        c.disconnect(0, 1)
        c.connectAll()
        c.run()
        _ = c.engines[0].expireTombstones(wallClockNanoseconds: Self.start)
        #expect(c.engines[0].expireTombstones(wallClockNanoseconds: Self.start + 60 * Self.day) == 0,
                "B still announces the files it has not deleted")
    }

    /// A deletion of a file we never had is not adopted (nothing recorded, nothing announced,
    /// nothing needed), and a file we create there later wins over that deletion.
    @Test func tombstonesOfFilesNeverHeldAreNotAdopted() throws {
        let c = try Cluster(count: 2, seed: 33)
        try c.fss[0].writeAll("gone.txt", [1, 2, 3])
        try c.fss[0].writeAll("kept.txt", [4])
        c.scan(0)
        try c.fss[0].remove("gone.txt")
        c.scan(0)
        c.connectAll()
        c.converge()
        let gone = SyncPath("gone.txt")
        #expect(c.engines[0].localRecord(gone)?.deleted == true)
        #expect(c.engines[1].localRecord(gone) == nil, "a tombstone of a path never held must not be recorded")
        #expect(c.engines[1].localRecord(SyncPath("kept.txt"))?.deleted == false)
        #expect(c.engines[1].maxSequence == 1, "only kept.txt was recorded (and announced)")
        #expect(c.engines[1].needCount() == 0 && !c.engines[1].hasNeeds())
        // B creates the name afresh: its file is the global version and reaches A.
        try c.fss[1].writeAll("gone.txt", [7, 7])
        c.scan(1)
        c.converge()
        #expect(try c.fss[0].readAll("gone.txt", limit: 16) == [7, 7])
        #expect(c.allTreesEqual())
    }
}
