import Testing
import SyncEngine
import SyncFS
import SyncProtocol

/// How much one scan step does on the engine (the folder's frames wait behind it): a hashed
/// batch is committed ``FolderEngine/scanCommitRecords`` entries at a time, and a walk or a
/// deletion check looks at no more than ``FolderEngine/scanStepEntries`` names.
@Suite struct ScanStepBoundTests {
    /// A rescan of an unchanged folder of 906 entries looks at them over several steps (two
    /// walking, two checking for deletions), records nothing and announces nothing.
    @Test func rescanOfAnUnchangedFolderTakesShortSteps() throws {
        let c = try ScanOverlapTests.pair(seed: 27)
        c.scan(0)
        c.run()
        #expect(c.allTreesEqual())
        let sequence = c.engines[0].maxSequence
        c.indexRecordsSent.removeAll()
        #expect(c.engines[0].beginScan(now: c.now))
        var steps = 1
        while c.engines[0].continueScan(now: c.now) { steps += 1; c.collect(); c.run() }
        #expect(FolderEngine.scanStepEntries == 512)
        #expect(steps >= 4)
        #expect(c.engines[0].lastScanSummary.recorded == 0)
        #expect(c.engines[0].maxSequence == sequence)
        #expect(c.indexRecordsSent.isEmpty)
    }

    /// Every step of a first scan commits at most ``FolderEngine/scanCommitRecords`` records,
    /// and every record is committed once, in walk order.
    @Test func aFirstScanCommitsBoundedSlices() throws {
        let c = try ScanOverlapTests.pair(seed: 29)
        #expect(c.engines[0].beginScan(now: c.now))
        var counts: [Int] = []
        var more = true
        while more {
            more = c.engines[0].continueScan(now: c.now)
            counts.append(Int(c.engines[0].maxSequence))
            c.collect()
            c.run()
        }
        let perStep = zip(counts, [0] + counts).map { $0 - $1 }
        #expect(perStep.allSatisfy { $0 <= FolderEngine.scanCommitRecords })
        #expect(perStep.prefix(7) == [33, 64, 128, 1, 128, 128, 2])   // batches of 32, 64, 128 and 256 files
        #expect(counts.last == 906)
        #expect(c.engines[0].lastScanSummary.recorded == 906)
        #expect(ScanOverlapTests.announcedOnlyCommitted(c))
        #expect(c.allTreesEqual())
    }
}
