import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// The live file count and bytes the engine keeps for status (counted once, then updated by
/// every commit) always equal a fresh count by the store, through creates, edits, deletions,
/// pulls and a directory replaced by a file.
@Suite struct LocalTotalsTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func keptTotalsMatchAFreshCount(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let c = try Cluster(count: 2, seed: 9_400 + seed)
        c.connectAll()
        for e in c.engines { _ = e.localTotals() }   // start keeping them before anything exists
        func check(_ step: String) throws {
            for i in c.engines.indices {
                let fresh = try c.stores[i].localTotals(folderID: "default")
                let kept = c.engines[i].localTotals()
                #expect(kept.files == fresh.files && kept.bytes == fresh.bytes, "seed \(seed), \(step), engine \(i): kept \(kept), fresh \(fresh)")
            }
        }
        try c.fss[0].makeDirectories("d/e")
        for n in 0..<12 { try c.fss[0].writeAll("d/f\(n).bin", rng.bytes(1 + Int(rng.next() % 40_000))) }
        try c.fss[0].writeAll("d/e/x.bin", rng.bytes(5_000))
        c.converge()
        try check("after the first sync")
        try c.fss[1].writeAll("d/f3.bin", rng.bytes(70_000))          // an edit on the other side
        try c.fss[0].remove("d/f4.bin")                                // a deletion
        try c.fss[0].remove("d/e/x.bin")
        try c.fss[0].remove("d/e")
        try c.fss[0].writeAll("d/e", rng.bytes(9))                     // a directory replaced by a file
        c.converge()
        try check("after edits, deletions and a replaced directory")
        #expect(try c.stores[0].localTotals(folderID: "default").files == 12)
    }
}
