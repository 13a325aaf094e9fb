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

/// Batched flushing: files that wait while a round runs are made durable together by one
/// whole-file-system flush; small rounds and failed flushes fall back to one fsync per file.
@Suite struct FileSyncerRoundTests {
    /// A gate the first flush waits at, so the test decides what the next round holds.
    final class Gate: Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
    }

    @Test func filesWaitingForARoundAreFlushedTogether() {
        let gate = Gate()
        let singles = Mutex<[String]>([])
        let flushes = Atomic<Int>(0)
        let syncer = BackgroundFileSyncer(threads: 2, sync: { path throws(FileSystemError) in
            singles.withLock { $0.append(path) }
            if path == "first" { gate.entered.signal(); gate.release.wait() }
        }, syncAll: { () throws(FileSystemError) in flushes.wrappingAdd(1, ordering: .relaxed) }, batchMinimum: 4)
        syncer.submit("first")          // a round of one: fsynced alone, and held at the gate
        gate.entered.wait()
        let names = (0..<50).map { "f\($0)" }
        for n in names { syncer.submit(n) }
        gate.release.signal()
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(results.count == names.count + 1)
        #expect(Set(results.map(\.path)) == Set(names + ["first"]))
        #expect(results.allSatisfy { $0.error == nil })
        #expect(singles.withLock { $0 } == ["first"], "the 50 files that waited were flushed together, not one by one")
        #expect(flushes.load(ordering: .relaxed) == 1)
        #expect(syncer.statistics == FileSyncerCounters(batched: 50, batches: 1, failedBatches: 0, singly: 1))
    }

    @Test func aFailedFlushFallsBackToOneFsyncPerFileWithItsOwnError() {
        let gate = Gate()
        let syncer = BackgroundFileSyncer(threads: 3, sync: { path throws(FileSystemError) in
            if path == "first" { gate.entered.signal(); gate.release.wait() }
            if path.hasPrefix("bad") { throw FileSystemError(code: 5, operation: "fsync", path: path) }
        }, syncAll: { () throws(FileSystemError) in throw FileSystemError(code: 5, operation: "syncfs", path: "/") }, batchMinimum: 2)
        syncer.submit("first")
        gate.entered.wait()
        for n in ["good1", "bad1", "good2", "bad2", "good3"] { syncer.submit(n) }
        gate.release.signal()
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(results.count == 6)
        #expect(Set(results.filter { $0.error != nil }.map(\.path)) == ["bad1", "bad2"])
        #expect(Set(results.filter { $0.error == nil }.map(\.path)) == ["first", "good1", "good2", "good3"])
        #expect(syncer.statistics == FileSyncerCounters(batched: 0, batches: 0, failedBatches: 1, singly: 6))
    }

    /// With `dropCached`, each file made durable (by a round's flush or by its own fsync) has
    /// its pages dropped after that and before its result is delivered; a file whose fsync
    /// failed and a directory are never advised.
    @Test func durableFilesAreDroppedFromTheCacheBeforeDelivery() {
        let events = Mutex<[String]>([])
        let syncer = BackgroundFileSyncer(threads: 2, sync: { path throws(FileSystemError) in
            if path == "bad" { throw FileSystemError(code: 5, operation: "fsync", path: path) }
            events.withLock { $0.append("fsync \(path)") }
        }, syncAll: { () throws(FileSystemError) in events.withLock { $0.append("flush") } }, batchMinimum: 3,
           syncDirectory: { _ throws(FileSystemError) in }, dropCached: { path in events.withLock { $0.append("drop \(path)") } })
        syncer.setOnFinished { events.withLock { $0.append("deliver") } }
        syncer.submit("alone")   // a round of one (below the flush minimum): its own fsync
        syncer.waitForSubmitted()
        #expect(events.withLock { $0 } == ["fsync alone", "drop alone", "deliver"])
        events.withLock { $0.removeAll() }
        syncer.submit("bad")
        syncer.waitForSubmitted()
        #expect(events.withLock { $0 } == ["deliver"], "a file that failed its fsync is not advised")
        events.withLock { $0.removeAll() }
        // Held so that the three files and the directory make one round, flushed at once.
        let gate = Gate()
        let held = BackgroundFileSyncer(threads: 1, sync: { path throws(FileSystemError) in
            if path == "first" { gate.entered.signal(); gate.release.wait() }
        }, syncAll: { () throws(FileSystemError) in events.withLock { $0.append("flush") } }, batchMinimum: 3,
           syncDirectory: { _ throws(FileSystemError) in }, dropCached: { path in events.withLock { $0.append("drop \(path)") } })
        held.submit("first")
        gate.entered.wait()
        for n in ["f1", "f2", "f3"] { held.submit(n) }
        #expect(held.submitDirectories(["d"]))
        events.withLock { $0.removeAll() }
        held.setOnFinished { events.withLock { $0.append("deliver") } }
        gate.release.signal()
        held.waitForSubmitted()
        let all = events.withLock { $0 }
        #expect(Array(all.prefix(2)) == ["drop first", "deliver"], "the held round of one")
        let round = Array(all.drop { $0 != "flush" })
        #expect(round.first == "flush" && round.last == "deliver" && round.filter { $0 == "deliver" }.count == 1)
        #expect(Set(round.filter { $0.hasPrefix("drop") }) == ["drop f1", "drop f2", "drop f3"], "the round's files, not its directory")
        #expect(held.takeFinished().count == 5)
    }

    @Test func directoriesAreSyncedTogetherAndEachFailureIsReported() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        for d in ["a", "b", "c"] { try fs.makeDirectory(d, permissions: 0o755) }
        let calls = Mutex<[String]>([])
        let syncer = BackgroundFileSyncer(threads: 3, sync: { _ throws(FileSystemError) in }, syncDirectory: { d throws(FileSystemError) in
            calls.withLock { $0.append(d) }
            try fs.syncDirectory(d)
        })
        let failed = syncer.syncDirectories(["a", "b", "missing", "c"], fs: fs)
        #expect(Set(failed.keys) == ["missing"])
        #expect(calls.withLock { Set($0) } == ["a", "b", "missing", "c"], "every directory goes through the syncer's own call")
        // Without a directory call, the file system's is used one after another.
        let plain = BackgroundFileSyncer(threads: 2, sync: { _ throws(FileSystemError) in })
        #expect(Set(plain.syncDirectories(["a", "gone"], fs: fs).keys) == ["gone"])
    }

    @Test func submittedDirectoriesJoinTheNextRoundsFlush() {
        let gate = Gate()
        let directoryCalls = Mutex<[String]>([])
        let flushes = Atomic<Int>(0)
        let syncer = BackgroundFileSyncer(threads: 2, sync: { path throws(FileSystemError) in
            if path == "first" { gate.entered.signal(); gate.release.wait() }
        }, syncAll: { () throws(FileSystemError) in flushes.wrappingAdd(1, ordering: .relaxed) }, batchMinimum: 4,
           syncDirectory: { d throws(FileSystemError) in directoryCalls.withLock { $0.append(d) } })
        syncer.submit("first")   // a round of one, held at the gate
        gate.entered.wait()
        #expect(syncer.submitDirectories(["a", "b"]))
        for n in ["f1", "f2", "f3"] { syncer.submit(n) }
        gate.release.signal()
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(Set(results.filter(\.isDirectory).map(\.path)) == ["a", "b"])
        #expect(Set(results.filter { !$0.isDirectory }.map(\.path)) == ["first", "f1", "f2", "f3"])
        #expect(results.allSatisfy { $0.error == nil })
        #expect(flushes.load(ordering: .relaxed) == 1, "three files and two directories: one flush")
        #expect(directoryCalls.withLock { $0 }.isEmpty, "no directory fsync when the flush covers them")
        #expect(syncer.statistics.batchedDirectories == 2 && syncer.statistics.batched == 3)

        // A round too small for a flush (or whose flush failed) fsyncs each directory and reports its error.
        #expect(syncer.submitDirectories(["only"]))
        syncer.waitForSubmitted()
        #expect(syncer.takeFinished() == [FileSyncResult(path: "only", error: nil, isDirectory: true)])
        #expect(directoryCalls.withLock { $0 } == ["only"])
        let failing = BackgroundFileSyncer(threads: 2, sync: { _ throws(FileSystemError) in },
                                           syncAll: { () throws(FileSystemError) in throw FileSystemError(code: 5, operation: "syncfs", path: "/") },
                                           batchMinimum: 1, syncDirectory: { d throws(FileSystemError) in
            if d == "bad" { throw FileSystemError(code: 5, operation: "fsync-dir", path: d) }
        })
        #expect(failing.submitDirectories(["good", "bad"]))
        failing.waitForSubmitted()
        let outcome = failing.takeFinished()
        #expect(Set(outcome.filter { $0.error != nil }.map(\.path)) == ["bad"] && outcome.count == 2 && outcome.allSatisfy(\.isDirectory))
        // Without a whole-file-system flush or a directory call it takes none (the caller fsyncs them).
        #expect(!BackgroundFileSyncer(threads: 1, sync: { _ throws(FileSystemError) in }).submitDirectories(["a"]))
    }

    @Test func theFlusherMakesRealFilesDurableAndRefusesAMissingRoot() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        for i in 0..<20 { try fs.writeAll("f\(i)", Array(repeating: UInt8(i), count: 3000)) }
        let flusher = try FileSystemFlusher(root: dir.path)
        let syncer = BackgroundFileSyncer(threads: 2, sync: { p throws(FileSystemError) in try fs.syncFile(p) },
                                          syncAll: { () throws(FileSystemError) in try flusher.syncAll() }, batchMinimum: 1)
        for i in 0..<20 { syncer.submit("f\(i)") }
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(results.count == 20 && results.allSatisfy { $0.error == nil })
        #expect(syncer.statistics.failedBatches == 0 && syncer.statistics.batched + syncer.statistics.singly == 20)
        #expect(throws: FileSystemError.self) { try FileSystemFlusher(root: dir.path + "/no/such/dir") }
    }
}
