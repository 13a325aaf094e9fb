import Foundation
import Synchronization
import Testing
@testable import SyncFS

/// Small files written by the syncer's threads (``BackgroundFileSyncer/submitWrite(_:)``): each
/// is created with its content, mode and mtime, then flushed like a submitted file; a failed
/// write reports its error and leaves nothing behind; the bytes held unwritten are bounded.
@Suite struct FileWriteTests {
    @Test func writtenFilesAreFlushedAndCarryTheirModeAndTime() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectory("d", permissions: 0o755)
        let syncer = BackgroundFileSyncer(threads: 3, sync: { path throws(FileSystemError) in try fs.syncFile(path) },
                                          syncAll: { () throws(FileSystemError) in }, batchMinimum: 4,
                                          writeFile: { w throws(FileSystemError) in try w.perform(on: fs) })
        #expect(syncer.writesFiles)
        // A leftover longer file at one of the paths is cut to the new content.
        try fs.writeAll("d/t3", Array(repeating: 9, count: 50_000))
        let writes = (0..<30).map { i in
            FileWrite(path: "d/t\(i)", data: Array(repeating: UInt8(i), count: 100 * i), permissions: 0o640 + UInt32(i % 2),
                      mtimeNanoseconds: 1_600_000_000_000_000_000 + Int64(i) * 1_000_000_007)
        }
        for w in writes { #expect(syncer.submitWrite(w)) }
        #expect(syncer.submitWrite(FileWrite(path: "missing/t", data: [1, 2, 3], permissions: 0o644, mtimeNanoseconds: 0)))
        syncer.waitForSubmitted()
        let results = syncer.takeFinished()
        #expect(results.count == 31)
        #expect(Set(results.filter { $0.error == nil }.map(\.path)) == Set(writes.map(\.path)))
        #expect(results.first { $0.path == "missing/t" }?.error != nil, "a write into a missing directory fails")
        for w in writes {
            #expect(try fs.readAll(w.path) == Array(w.data))
            let info = try #require(try fs.info(w.path))
            #expect(info.permissions == w.permissions && info.mtimeNanoseconds == w.mtimeNanoseconds)
        }
        let stats = syncer.statistics
        #expect(stats.written == 30 && stats.failedWrites == 1)
        #expect(stats.batched + stats.singly == 30, "every written file was flushed")
    }

    @Test func aFailedWriteRemovesItsFile() throws {
        let fs = InMemoryFileSystem()
        fs.faultHook = { op, path throws(FileSystemError) in if op == "write" { throw FileSystemError(code: 28, operation: "pwrite", path: path) } }
        let w = FileWrite(path: "t", data: Array(repeating: 1, count: 10), permissions: 0o644, mtimeNanoseconds: 5)
        #expect(throws: FileSystemError.self) { try w.perform(on: fs) }
        fs.faultHook = nil
        #expect(try fs.info("t") == nil, "nothing half written stays")
        try w.perform(on: fs)
        #expect(try fs.readAll("t") == Array(w.data))
    }

    @Test func itRefusesWhileTooManyBytesWaitToBeWritten() {
        let gate = FileSyncerRoundTests.Gate()   // the first write waits at it
        let written = Mutex<[String]>([])
        let syncer = BackgroundFileSyncer(threads: 2, sync: { _ throws(FileSystemError) in },
                                          writeFile: { w throws(FileSystemError) in
                                              if w.path == "first" { gate.entered.signal(); gate.release.wait() }
                                              written.withLock { $0.append(w.path) }
                                          }, maxUnwrittenBytes: 1000)
        func write(_ path: String, _ count: Int) -> FileWrite { FileWrite(path: path, data: Array(repeating: 0, count: count), permissions: 0o644, mtimeNanoseconds: 0) }
        #expect(syncer.submitWrite(write("first", 1500)), "one write is always taken when none is held")
        gate.entered.wait()
        #expect(!syncer.submitWrite(write("second", 10)), "1500 bytes held: refused")
        gate.release.signal()
        syncer.waitForSubmitted()
        #expect(syncer.submitWrite(write("third", 600)))
        syncer.waitForSubmitted()
        #expect(written.withLock { $0 } == ["first", "third"])
        #expect(Set(syncer.takeFinished().map(\.path)) == ["first", "third"])
        let plain = BackgroundFileSyncer(threads: 1, sync: { _ throws(FileSystemError) in })
        #expect(!plain.writesFiles && !plain.submitWrite(write("x", 1)))
    }
}
