import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Pulled files flushed by a ``FileSyncer`` (the daemon's background fsync): nothing appears at
/// its final name before its data is durable, the flush never makes a file be pulled twice,
/// placing is crash-safe, and a version that moves on during the flush is not placed.
@Suite struct FlushQueueTests {
    static let names = ["a/x.txt", "a/y.txt", "b/z.bin", "top1", "top2"]

    func cluster(seed: UInt64) throws -> (Cluster, ManualFileSyncer, InMemoryFileSystem) {
        let fss = [InMemoryFileSystem(), InMemoryFileSystem()]
        let syncer = ManualFileSyncer(fs: fss[1])
        let c = try Cluster(count: 2, seed: seed, fileSystems: fss, syncers: [1: syncer])
        for (i, n) in Self.names.enumerated() {
            if let dir = SyncPath(n).parent, try fss[0].info(dir.string) == nil { try fss[0].makeDirectory(dir.string, permissions: 0o755) }
            try fss[0].writeAll(n, Array(repeating: UInt8(i + 1), count: 1000 * (i + 1)))
        }
        c.scan(0)
        c.connectAll()
        c.run()
        return (c, syncer, fss[1])
    }

    /// Completes every pending flush, lets the engine place the files, and delivers what follows.
    func flushAll(_ c: Cluster, _ syncer: ManualFileSyncer) {
        syncer.completeAll()
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        c.run()
    }

    @Test func filesArePlacedOnlyOnceTheirFlushIsDone() throws {
        let (c, syncer, fs) = try cluster(seed: 41)
        #expect(syncer.pending.count == Self.names.count, "every pulled file waits for its flush")
        for n in Self.names { #expect(try fs.info(n) == nil, "\(n) must not be visible before its data is durable") }
        #expect(c.engines[1].needCount() == Self.names.count && c.engines[1].hasNeeds())
        // A rescan meanwhile keeps the temp files and asks for nothing again.
        let requests = c.framesSent[.request, default: 0]
        c.scan(1)
        c.run()
        #expect(c.framesSent[.request, default: 0] == requests)
        #expect(syncer.submitted.count == Self.names.count)

        flushAll(c, syncer)
        #expect(c.engines[1].needCount() == 0)
        #expect(c.allTreesEqual())
        // Placed means durable: a power cut now keeps every file.
        fs.crash()
        for (i, n) in Self.names.enumerated() {
            #expect(try fs.readAll(n) == Array(repeating: UInt8(i + 1), count: 1000 * (i + 1)), "\(n) after a crash")
        }
    }

    @Test func aCrashBeforeTheFlushLeavesNoFileAtItsFinalName() throws {
        let (c, syncer, fs) = try cluster(seed: 42)
        #expect(syncer.pending.count == Self.names.count)
        fs.crash()
        syncer.dropPending()
        for n in Self.names { #expect(try fs.info(n) == nil) }
        // Restarted (a daemon scans on start), the engine pulls them again and places them once flushed.
        try c.restart(1)
        c.connectAll()
        c.scan(1)
        c.run()
        #expect(syncer.pending.count == Self.names.count)
        flushAll(c, syncer)
        #expect(c.allTreesEqual())
    }

    @Test func aVersionThatMovesOnDuringTheFlushIsNotPlaced() throws {
        let (c, syncer, fs) = try cluster(seed: 43)
        try c.fss[0].writeAll("top1", [9, 9, 9])
        c.scan(0)
        c.run()
        #expect(syncer.submitted.filter { $0.contains("top1") }.count == 1, "not pulled again while its flush runs")
        flushAll(c, syncer)
        // The superseded content was dropped and the new version pulled; it waits for its own flush.
        #expect(try fs.info("top1") == nil)
        #expect(syncer.pending.count == 1)
        flushAll(c, syncer)
        #expect(try fs.readAll("top1") == [9, 9, 9])
        #expect(c.allTreesEqual())
        #expect(try fs.list("").filter { $0.hasPrefix(PathPolicy.tempPrefix) }.isEmpty, "no temp file is left behind")
    }

    @Test func aFailedFlushIsReportedAndRetried() throws {
        let (c, syncer, fs) = try cluster(seed: 44)
        syncer.completeAll(failing: FileSystemError(code: FileSystemError.io, operation: "fsync", path: "x"))
        c.engines[1].collectSynced(now: c.now)
        c.collect()
        #expect(c.events[1].filter { if case .pullFailed = $0 { true } else { false } }.count == Self.names.count)
        for n in Self.names { #expect(try fs.info(n) == nil) }
        // The retry (after its backoff) resumes from the kept temp files and places them.
        c.now = c.now + .seconds(2)
        c.engines[1].handle(timeout: c.now)
        c.collect()
        c.run()
        #expect(syncer.pending.count == Self.names.count)
        flushAll(c, syncer)
        #expect(c.allTreesEqual())
    }
}
