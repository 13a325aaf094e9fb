@testable import Daemon
import SyncEngine
import Testing

/// The need count status keeps between recounts: pulled paths and deletions come off it, a
/// pulled path without bytes (a directory, an empty file) only as a path, never below zero.
@Suite struct NeedProgressTests {
    @Test func pulledAndDeletedPathsComeOffTheCount() {
        var n = NeedSummary(paths: 4, files: 2, bytes: 300, replacedFiles: 1, replacedBytes: 50)
        n.take(pulledFileOf: 100)
        #expect(n == NeedSummary(paths: 3, files: 1, bytes: 200, replacedFiles: 1, replacedBytes: 50))
        n.take(pulledFileOf: 0)
        #expect(n == NeedSummary(paths: 2, files: 1, bytes: 200, replacedFiles: 1, replacedBytes: 50))
        n.takeDeletion()
        n.take(pulledFileOf: 500)
        #expect(n == NeedSummary(paths: 0, files: 0, bytes: 0, replacedFiles: 1, replacedBytes: 50))
        n.takeDeletion()
        n.take(pulledFileOf: 7)
        #expect(n == NeedSummary(paths: 0, files: 0, bytes: 0, replacedFiles: 1, replacedBytes: 50))
    }
}
