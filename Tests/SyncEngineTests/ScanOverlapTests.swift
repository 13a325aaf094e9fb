import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// A scan taken a step at a time (``FolderEngine/beginScan(now:)``,
/// ``FolderEngine/continueScan(now:)``): each committed batch is announced at once, so a peer
/// pulls the first files while the rest of the folder is being read.
@Suite struct ScanOverlapTests {
    /// 6 directories of 150 small files on engine 0.
    static func smallFiles(_ fs: any FileSystem, seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for d in 0..<6 {
            try fs.makeDirectories("d\(d)")
            for f in 0..<150 { try fs.writeAll("d\(d)/f\(f).txt", rng.bytes(100 + Int(rng.next() % 4_000))) }
        }
    }

    /// Two connected engines (index records recorded), 900 small files on engine 0, not scanned yet.
    static func pair(seed: UInt64, fileSystems: [any FileSystem]? = nil) throws -> Cluster {
        let c = try Cluster(count: 2, seed: seed, fileSystems: fileSystems)
        c.recordIndexes = true
        try smallFiles(c.fss[0], seed: seed)
        c.connectAll()
        c.run()
        return c
    }

    /// Every record engine 0 announced is its committed record of that path (same version and content).
    static func announcedOnlyCommitted(_ c: Cluster) -> Bool {
        c.indexRecordsSent.allSatisfy { sent in
            guard sent.from == 0 else { return true }
            guard let local = c.engines[0].localRecord(sent.record.path) else { return false }
            // A path recorded again later in the scan has a newer version; it never has an older one.
            return local.sequence >= sent.record.sequence && (local.sequence != sent.record.sequence
                || (local.version == sent.record.version && local.contentHash == sent.record.contentHash))
        }
    }

    /// Takes engine 0's scan to its end (`more`: the last step said there is more), delivering
    /// everything between steps and after the last.
    static func finishScan(_ c: Cluster, more: Bool = true) {
        var more = more
        while more {
            more = c.engines[0].continueScan(now: c.now)
            c.collect()
            c.run()
        }
        c.collect()
        c.run()
    }

    static func pulled(_ c: Cluster, _ i: Int) -> Set<SyncPath> {
        Set(c.events[i].compactMap { if case .pulled(let p) = $0 { p } else { nil } })
    }

    static func failures(_ c: Cluster) -> [String] {
        c.events.flatMap { $0 }.compactMap { if case .pullFailed(let p, let reason) = $0 { "\(p.string): \(reason)" } else { nil } }
    }

    @Test func peerPullsEarlyFilesWhileTheScanRuns() throws {
        let c = try Self.pair(seed: 21)
        #expect(c.engines[0].beginScan(now: c.now))
        var steps = 0
        var pulledAfterStep: [Int] = []   // files (directories apart) the peer has pulled after each step
        while c.engines[0].continueScan(now: c.now) {
            steps += 1
            c.collect()
            c.run()
            #expect(c.engines[0].isScanning)
            #expect(Self.announcedOnlyCommitted(c))
            if steps == 4 {
                // The first announced files are pulled and placed before the fifth step runs.
                let got = Self.pulled(c, 1)
                #expect(!got.isEmpty)
                for p in got { #expect(c.tree(1)[p.string] == c.tree(0)[p.string]) }
                #expect(c.engines[0].localRecords.count < 900)
            }
            pulledAfterStep.append(Self.pulled(c, 1).filter { $0.name.hasSuffix(".txt") }.count)
        }
        c.collect()
        c.run()
        // Steps of 32, 64, 128, 256, then the rest: the first announcement goes out once 256
        // records wait (after step four, 480 files), and the peer has pulled those while the
        // other 420 files are still unread.
        #expect(steps >= 5)
        #expect(pulledAfterStep.prefix(5) == [0, 0, 0, 480, 480])
        #expect(!c.engines[0].isScanning)
        #expect(c.engines[0].lastScanSummary.recorded == 906)   // 900 files and 6 directories
        #expect(Self.pulled(c, 1).filter { $0.name.hasSuffix(".txt") }.count == 900)
        #expect(Self.failures(c).isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func peerReconnectingMidScanGetsExactlyTheRest() throws {
        let c = try Self.pair(seed: 22)
        c.engines[0].beginScan(now: c.now)
        for _ in 0..<4 { #expect(c.engines[0].continueScan(now: c.now)) }   // the fourth step announces
        c.collect()
        c.run()
        let heard = c.engines[0].maxSequence
        #expect(heard > 0)
        #expect(c.indexRecordsSent.filter { $0.from == 0 }.map(\.record.sequence).sorted() == Array(1...heard))
        c.disconnect(0, 1)
        // Two more steps commit while the peer is away.
        #expect(c.engines[0].continueScan(now: c.now))
        #expect(c.engines[0].continueScan(now: c.now))
        #expect(c.engines[0].maxSequence > heard)
        c.indexRecordsSent.removeAll()
        c.connect(0, 1)
        c.run()
        let resent = c.indexRecordsSent.filter { $0.from == 0 }.map(\.record.sequence).sorted()
        #expect(resent == Array((heard + 1)...c.engines[0].maxSequence), "the peer is sent what it has not heard, once")
        Self.finishScan(c)
        let all = c.indexRecordsSent.filter { $0.from == 0 }.map(\.record.sequence)
        #expect(Set(all).count == all.count, "no record is sent twice")
        #expect(Self.announcedOnlyCommitted(c))
        #expect(Self.failures(c).isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func fileChangedWhileHashedIsNotAnnouncedWithItsOldHashes() throws {
        let fs = InMemoryFileSystem()
        let c = try Self.pair(seed: 23, fileSystems: [fs, InMemoryFileSystem()])
        var rng = SeededRandom(seed: 8)
        let old = rng.bytes(200_000), new = rng.bytes(150_000)
        try fs.writeAll("d3/racing.bin", old)
        // A writer replaces the content just as the scan's read of it ends.
        var raced = false
        fs.closeHook = { path in
            guard path == "d3/racing.bin", !raced else { return }
            raced = true
            try? fs.writeAll(path, new)
        }
        let oldHash = try Self.contentHash(of: old)
        c.engines[0].beginScan(now: c.now)
        while c.engines[0].continueScan(now: c.now) {
            c.collect()
            c.run()
            #expect(Self.announcedOnlyCommitted(c))
        }
        c.collect()
        c.run()
        #expect(raced)
        let announced = c.indexRecordsSent.filter { $0.from == 0 && $0.record.path == SyncPath("d3/racing.bin") }
        #expect(!announced.isEmpty)
        #expect(!announced.contains { $0.record.contentHash == oldHash }, "the content read before the change is never announced")
        #expect(c.engines[0].localRecord(SyncPath("d3/racing.bin"))?.contentHash == (try Self.contentHash(of: new)))
        #expect(try c.fss[1].readAll("d3/racing.bin") == new)
        #expect(Self.failures(c).isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func oneShotScanAnnouncesEveryStepAndPullsOnce() throws {
        let c = try Self.pair(seed: 24)
        let summary = c.engines[0].scan(now: c.now)
        #expect(summary.recorded == 906)
        #expect(!c.engines[0].isScanning)
        c.collect()
        c.run()
        #expect(c.allTreesEqual())
    }

    /// A walked step hashed elsewhere (``FolderEngine/walkScanStep(now:)``) leaves the engine
    /// serving: the peer pulls every announced file while the batch is out, and the scan then
    /// goes on to record everything once.
    @Test func requestsAreAnsweredWhileAStepIsHashed() throws {
        let c = try Self.pair(seed: 25)
        c.engines[0].beginScan(now: c.now)
        for _ in 0..<4 { #expect(c.engines[0].continueScan(now: c.now)) }   // the fourth step announces 480 files
        var batch = try #require(c.engines[0].walkScanStep(now: c.now))
        #expect(batch.filesToHash == 420)   // the rest of the folder
        c.collect()
        c.run()
        // Served while the step's files were still unread.
        #expect(Self.pulled(c, 1).filter { $0.name.hasSuffix(".txt") }.count == 480)
        #expect(c.engines[0].localRecords.count == 484)   // 480 files, 4 directories
        batch.hash()
        #expect(batch.filesToHash == 0)
        let more = c.engines[0].finishScanStep(batch, now: c.now)
        #expect(c.engines[0].localRecords.count == 906)
        Self.finishScan(c, more: more)
        #expect(c.engines[0].lastScanSummary.recorded == 906)
        #expect(Self.announcedOnlyCommitted(c))
        #expect(Self.failures(c).isEmpty)
        #expect(c.allTreesEqual())
    }

    /// A file written after the walk saw it and before its batch was hashed is read again:
    /// the record holds the new content, and the state the walk saw is never announced.
    @Test func fileChangedBeforeItsBatchIsHashedIsReadAgain() throws {
        let fs = InMemoryFileSystem()
        let c = try Self.pair(seed: 26, fileSystems: [fs, InMemoryFileSystem()])
        c.engines[0].beginScan(now: c.now)
        var batch = try #require(c.engines[0].walkScanStep(now: c.now))
        let path = try #require(batch.paths.first { $0.name.hasSuffix(".txt") })
        let old = try fs.readAll(path.string)
        var rng = SeededRandom(seed: 9)
        let new = rng.bytes(7_000)
        try fs.writeAll(path.string, new)
        batch.hash()
        let more = c.engines[0].finishScanStep(batch, now: c.now)
        #expect(c.engines[0].localRecord(path) == nil, "left out of the step that read it")
        Self.finishScan(c, more: more)
        let oldHash = try Self.contentHash(of: old)
        #expect(!c.indexRecordsSent.contains { $0.record.path == path && $0.record.contentHash == oldHash })
        #expect(c.engines[0].localRecord(path)?.contentHash == (try Self.contentHash(of: new)))
        #expect(try c.fss[1].readAll(path.string) == new)
        #expect(Self.failures(c).isEmpty)
        #expect(c.allTreesEqual())
    }

    /// The content hash of `bytes` as a scan records it.
    static func contentHash(of bytes: [UInt8]) throws -> ContentHash {
        let fs = InMemoryFileSystem()
        try fs.writeAll("x", bytes)
        let result = Scanner(fs: fs).scan(known: { _ in nil }, knownPaths: [SyncPath]())
        return SHA256Hasher.contentHash(of: result.changed.first?.chunks ?? [])
    }
}
