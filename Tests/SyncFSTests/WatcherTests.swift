import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

@Suite struct WatcherTests {
    @Test func batcherGroupsChangesAndHoldsDeletesForRenames() {
        var b = ChangeBatcher(window: .seconds(1), deleteDelay: .seconds(10))
        let t0 = Instant(nanoseconds: 1_000_000_000)
        b.changed(SyncPath("a"), now: t0)
        b.changed(SyncPath("b"), now: t0 + .milliseconds(300))
        b.removed(SyncPath("old"), now: t0 + .milliseconds(400))
        #expect(b.nextDeadline() == t0 + .seconds(1))
        #expect(b.poll(now: t0 + .milliseconds(900)) == nil)
        #expect(b.poll(now: t0 + .seconds(1)) == ChangeBatcher.Batch(paths: [SyncPath("a"), SyncPath("b")], fullRescan: false))
        // The deleted path comes back before the delay: it is a change, not a delete.
        b.removed(SyncPath("x"), now: t0 + .seconds(2))
        b.changed(SyncPath("x"), now: t0 + .seconds(3))
        #expect(b.poll(now: t0 + .seconds(4)) == ChangeBatcher.Batch(paths: [SyncPath("x")], fullRescan: false))
        #expect(b.poll(now: t0 + .milliseconds(10_399)) == nil)
        #expect(b.poll(now: t0 + .milliseconds(10_400)) == ChangeBatcher.Batch(paths: [SyncPath("old")], fullRescan: false))
        var small = ChangeBatcher(maxPaths: 3)
        for i in 0..<5 { small.changed(SyncPath("f\(i)"), now: t0) }
        #expect(small.poll(now: t0)?.fullRescan == true)
    }

    @Test func rescanScheduleIsJitteredAndReproducible() {
        var a = RescanSchedule(interval: .seconds(3600), jitter: .seconds(600), seed: 1)
        var b = RescanSchedule(interval: .seconds(3600), jitter: .seconds(600), seed: 1)
        let times = (0..<20).map { _ in a.next(after: .zero) }
        #expect(times == (0..<20).map { _ in b.next(after: .zero) })
        #expect(Set(times).count > 10)
        #expect(times.allSatisfy { $0 >= Instant.zero + .seconds(3000) && $0 <= Instant.zero + .seconds(4200) })
    }

    @Test func inotifyReportsCreatesWritesRenamesAndNewDirectories() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("sub")
        let w = try InotifyWatcher(root: dir.path, batcher: ChangeBatcher(window: .seconds(1), deleteDelay: .seconds(5)))
        #expect(w.watchCount == 2)
        let t0 = Instant(nanoseconds: 1)
        try fs.writeAll("sub/a.txt", [1, 2, 3])
        try fs.makeDirectories("newdir")
        try fs.makeDirectories(PathPolicy.stateDirectoryName)
        #expect(w.readEvents(now: t0) > 0)
        try fs.writeAll("newdir/inner.txt", [4])   // watched because newdir was picked up
        try fs.rename("sub/a.txt", to: "sub/b.txt")
        w.readEvents(now: t0)
        let polled = w.batcher.poll(now: t0 + .seconds(1))
        let batch = try #require(polled)
        #expect(batch.paths.contains(SyncPath("sub/b.txt")))
        #expect(batch.paths.contains(SyncPath("newdir")))
        #expect(batch.paths.contains(SyncPath("newdir/inner.txt")))
        #expect(!batch.paths.contains { $0.string.contains(".peersync") })
        let later = w.batcher.poll(now: t0 + .seconds(6))
        #expect(later?.paths == [SyncPath("sub/a.txt")])
        #expect(w.limitWarning == nil)
    }

    /// The initial walk watches every directory (found from the listing's entry types), and
    /// neither files nor symlinks to directories nor PeerSync's own state directory.
    @Test func theInitialWalkWatchesDirectoriesOnly() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("a/b/c")
        try fs.makeDirectories("d")
        try fs.makeDirectories(PathPolicy.stateDirectoryName + "/inner")
        try fs.writeAll("a/f", [1])
        try fs.writeAll("a/b/c/g", [2])
        try fs.makeSymlink("a/link", target: "b")
        try fs.makeSymlink("top-link", target: "d")
        let w = try InotifyWatcher(root: dir.path)
        #expect(w.watchCount == 5, "root, a, a/b, a/b/c and d")
        #expect(Set(InotifyWatcher.subdirectories(of: dir.path + "/a")) == ["b"])
    }
}
