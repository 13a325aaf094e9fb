import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

struct InjectedCrash: Error {}

/// Aborts the receiving side at every file-system step and at the index commit of a pull, then
/// simulates a power cut (everything not fsynced is lost), restarts the engine, and checks that
/// the file is wholly old or wholly new and that the index agrees with the disk.
@Suite struct CrashSafetyTests {
    @Test func writerSurvivesACrashAtEveryStep() throws {
        var rng = SeededRandom(seed: 77)
        let old = rng.bytes(150_000), new = rng.bytes(170_000) + old.prefix(50_000)
        var step = 1
        var sawRenamedButUncommitted = false
        var sawMidWrite = false
        while true {
            let c = try Cluster(count: 2, seed: 7_000 + UInt64(step))
            c.connectAll()
            try c.fss[0].makeDirectories("dir")
            try c.fss[0].writeAll("dir/file.bin", old)
            c.converge()
            let b = try #require(c.fss[1] as? InMemoryFileSystem)
            b.syncEverything()
            try c.fss[0].writeAll("dir/file.bin", new)

            // Count every mutating operation and the index commits of B; fail the step-th one.
            var count = 0
            var opName = ""
            b.faultHook = { op, path throws(FileSystemError) in
                count += 1
                if count == step { opName = "\(op) \(path)"; throw FileSystemError(code: FileSystemError.io, operation: "injected", path: path) }
            }
            c.stores[1].faultHook = {
                count += 1
                if count == step { opName = "commit"; throw InjectedCrash() }
            }
            c.scan(0)
            c.run()
            let crashed = count >= step
            b.faultHook = nil
            c.stores[1].faultHook = nil
            b.crash()
            try c.restart(1)

            let disk = try b.readAll("dir/file.bin", limit: 1 << 20)
            #expect(disk == old || disk == new, "step \(step) (\(opName)): torn file of \(disk.count) bytes")
            let record = c.engines[1].localRecord(SyncPath("dir/file.bin"))
            if disk == new && record?.contentHash != SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: new)) { sawRenamedButUncommitted = true }
            if opName.hasPrefix("write") { sawMidWrite = true }

            // After a rescan the index matches the disk, without inventing a local version.
            c.scan(1)
            let after = try #require(c.engines[1].localRecord(SyncPath("dir/file.bin")))
            #expect(after.contentHash == SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: disk)), "step \(step)")
            #expect(after.version[c.engines[1].shortID] == 0, "step \(step) (\(opName)): the crash produced a local version")

            c.connectAll()
            c.converge()
            #expect(c.allTreesEqual(), "step \(step) (\(opName))")
            #expect(try b.readAll("dir/file.bin", limit: 1 << 20) == new)
            #expect(!c.tree(1).keys.contains { $0.contains("sync-conflict") }, "step \(step): spurious conflict")
            if !crashed { break }
            step += 1
        }
        #expect(step > 5, "the pull took too few steps to be meaningful")
        #expect(sawRenamedButUncommitted, "no step crashed between the rename and the commit")
        #expect(sawMidWrite)
    }
}

@Suite struct ResumeTests {
    @Test func restartResumesAPartialTempFile() throws {
        let c = try Cluster(count: 2, seed: 16)
        c.connectAll()
        var rng = SeededRandom(seed: 160)
        let data = rng.bytes(2 << 20)
        try c.fss[0].writeAll("big.bin", data)
        let chunkCount = Chunker.standard.chunks(of: data).count
        c.scan(0)
        // Deliver until B has received about half of the chunks, then cut the link and restart B.
        var responses = 0
        c.collect()
        while let i = c.inflight.indices.min(by: { c.inflight[$0].order < c.inflight[$1].order }), responses < chunkCount / 2 {
            let m = c.inflight.remove(at: i)
            if m.to == 1, case .response = try SyncFrame.decode(m.bytes) { responses += 1 }
            c.engines[m.to].handle(bytes: m.bytes, from: c.ids[m.from], now: c.now)
            c.collect()
        }
        #expect(responses == chunkCount / 2)
        #expect(try c.fss[1].list("").contains { $0.hasPrefix(PathPolicy.tempPrefix) })
        try c.restart(1)
        let before = c.framesSent[.request, default: 0]
        c.connectAll()
        c.converge()
        #expect(try c.fss[1].readAll("big.bin", limit: 4 << 20) == data)
        let asked = c.framesSent[.request, default: 0] - before
        #expect(asked <= chunkCount - chunkCount / 2, "asked \(asked) of \(chunkCount) chunks again after resuming")
        #expect(!c.tree(1).values.contains("TEMP"))
    }
}
