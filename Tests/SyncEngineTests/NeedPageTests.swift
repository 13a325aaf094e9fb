import Testing
import SyncEngine

/// A pull pass restarts its need walk from the first path whenever an index brings needs; while
/// pulls run, the first candidates are mostly those pulls, so the walk's first page is small
/// and the pages grow from there (``FolderConfig/maxActivePulls`` twice, doubling to
/// ``FolderConfig/indexBatchRecords``).
@Suite struct NeedPageTests {
    @Test func passesRestartedWhilePullsRunReadSmallFirstPages() throws {
        let c = try Cluster(count: 2, seed: 91) { i, config in if i == 1 { config.maxActivePulls = 4 } }
        c.connectAll()
        var written = 0
        // The sender's index arrives in many small announcements while the receiver pulls.
        for _ in 0..<30 {
            for _ in 0..<20 {
                try c.fss[0].writeAll("f\(String(written + 100_000))", Array("file \(written)".utf8))
                written += 1
            }
            c.scan(0)
            for _ in 0..<12 { c.deliverOne() }
        }
        _ = c.converge()
        #expect(c.allTreesEqual())
        #expect(try c.fss[1].readAll("f100599") == Array("file 599".utf8))
        let read = c.engines[1].needCandidatesRead
        // 788 with first pages of 8; 7,591 when every restart read a full page (up to 600).
        #expect(read < 2 * written, "\(read) need candidates read for \(written) files")
    }
}
