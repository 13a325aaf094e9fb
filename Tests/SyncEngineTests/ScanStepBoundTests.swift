import Testing
import SyncEngine
import SyncFS
import SyncProtocol

/// How much one scan step does on the engine (the folder's frames wait behind it): a walk or
/// a deletion check looks at no more than ``FolderEngine/scanStepEntries`` names.
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
        #expect(steps >= 5)   // one walk over the whole folder before: 3
        #expect(c.engines[0].lastScanSummary.recorded == 0)
        #expect(c.engines[0].maxSequence == sequence)
        #expect(c.indexRecordsSent.isEmpty)
    }
}
