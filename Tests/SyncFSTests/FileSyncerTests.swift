import Foundation
import Synchronization
import Testing
@testable import SyncFS

/// The daemon's background fsync: every submitted file comes back once, failures carry the
/// file system's error, the wake-up runs, and the files are still byte-identical (fsync only).
@Suite struct FileSyncerTests {
    @Test func everySubmittedFileComesBackOnceWithItsOutcome() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let names = (0..<40).map { "f\($0)" }
        for (i, n) in names.enumerated() { try fs.writeAll(n, Array(repeating: UInt8(i), count: 4096)) }
        let wakes = Atomic<Int>(0)
        let syncer = BackgroundFileSyncer(threads: 3, sync: { path throws(FileSystemError) in try fs.syncFile(path) },
                                          onFinished: { wakes.wrappingAdd(1, ordering: .relaxed) })
        for n in names { syncer.submit(n) }
        syncer.submit("missing")
        syncer.submit("no/such/dir")
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(results.count == names.count + 2)
        #expect(Set(results.filter { $0.error == nil }.map(\.path)) == Set(names))
        #expect(results.first { $0.path == "missing" }?.error != nil)
        #expect(results.first { $0.path == "no/such/dir" }?.error != nil)
        #expect(wakes.load(ordering: .relaxed) == names.count + 2)
        #expect(syncer.takeFinished().isEmpty, "results are taken once")
        for (i, n) in names.enumerated() { #expect(try fs.readAll(n) == Array(repeating: UInt8(i), count: 4096)) }
    }

    /// The wake-up callback runs at the same stack depth the 1st and the 2,000th time: it is not
    /// re-wrapped per call (it was, once: stored in a `Mutex` directly, each read added two
    /// thunks, so the n-th file's wake-up walked 2n of them).
    @Test func theWakeUpIsNotRewrappedPerFile() {
        let depths = Mutex<[Int]>([])
        let syncer = BackgroundFileSyncer(threads: 1, sync: { _ throws(FileSystemError) in }, onFinished: {
            let depth = Thread.callStackReturnAddresses.count
            depths.withLock { $0.append(depth) }
        })
        for i in 0..<2000 { syncer.submit("f\(i)") }
        syncer.waitForSubmitted()
        let seen = depths.withLock { $0 }
        #expect(seen.count == 2000)
        #expect(Set(seen).count == 1, "stack depth of the wake-up went from \(seen.first ?? 0) to \(seen.max() ?? 0) frames")
        #expect(syncer.takeFinished().count == 2000)
    }
}
