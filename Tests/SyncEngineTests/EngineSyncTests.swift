#if canImport(Glibc)
import Glibc
#endif
import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Where a cluster's folders live.
enum FolderBacking: String, CaseIterable, Sendable { case memory, disk }

/// Temp directories for engines on the real file system, removed at deinit.
final class TempFolders {
    let roots: [String]
    init(count: Int) {
        roots = (0..<count).map { _ in
            var template = Array("/tmp/peersync-engine-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
                guard let base = buf.baseAddress else { return false }
                return mkdtemp(base) != nil
            }
            precondition(made, "mkdtemp failed")
            return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
    var fileSystems: [any FileSystem] { roots.map { LocalFileSystem(root: $0) } }
    deinit { for r in roots { try? LocalFileSystem(root: "/").removeRecursively(String(r.dropFirst())) } }
}

@Suite struct EngineSyncTests {
    @Test(arguments: FolderBacking.allCases) func twoEnginesSyncEveryKindOfChange(_ backing: FolderBacking) throws {
        let folders = backing == .disk ? TempFolders(count: 2) : nil
        let c = try Cluster(count: 2, seed: 1, fileSystems: folders?.fileSystems)
        c.connectAll()
        let a = c.fss[0]
        var rng = SeededRandom(seed: 10)
        let big = rng.bytes(600_000)
        try a.makeDirectories("docs/deep")
        try a.writeAll("docs/readme.txt", Array("hello".utf8))
        try a.writeAll("docs/deep/big.bin", big)
        try a.makeSymlink("docs/link", target: "readme.txt")
        c.converge()
        #expect(c.allTreesEqual(), "create")
        #expect(c.tree(1)["docs/deep/big.bin"] != nil)

        // Modify, append, insert in the middle, truncate.
        try a.writeAll("docs/readme.txt", Array("hello, world".utf8))
        var inserted = big
        inserted.insert(contentsOf: rng.bytes(1024), at: 300_000)
        try a.writeAll("docs/deep/big.bin", inserted)
        c.converge()
        #expect(c.allTreesEqual(), "modify + insert")
        try a.writeAll("docs/deep/big.bin", Array(inserted.prefix(100_000)))
        let f = try a.openWrite("docs/readme.txt", create: false, permissions: 0o644)
        try f.write(Array("!!!".utf8), at: 12)
        f.close()
        c.converge()
        #expect(c.allTreesEqual(), "truncate + append")
        #expect(try c.fss[1].readAll("docs/readme.txt") == Array("hello, world!!!".utf8))

        // chmod, rename, delete, directory delete, symlink retarget.
        try a.setPermissions("docs/readme.txt", 0o600)
        try a.rename("docs/deep/big.bin", to: "docs/moved.bin")
        try a.remove("docs/deep")
        try a.remove("docs/link")
        try a.makeSymlink("docs/link", target: "moved.bin")
        c.converge()
        #expect(c.allTreesEqual(), "chmod + rename + delete")
        #expect(try c.fss[1].info("docs/deep") == nil)
        #expect(try c.fss[1].info("docs/readme.txt")?.permissions == 0o600)

        // And back the other way.
        try c.fss[1].writeAll("from-b.txt", Array("b".utf8))
        try c.fss[1].removeRecursively("docs")
        c.converge()
        #expect(c.allTreesEqual(), "changes from B")
        #expect(Set(c.tree(0).keys) == ["from-b.txt"])
        _ = folders
    }

    @Test func renameCostsNoTransfer() throws {
        let c = try Cluster(count: 2, seed: 2)
        c.connectAll()
        var rng = SeededRandom(seed: 20)
        try c.fss[0].writeAll("original.bin", rng.bytes(400_000))
        c.converge()
        let requestsBefore = c.framesSent[.request, default: 0]
        #expect(requestsBefore > 0)
        try c.fss[0].rename("original.bin", to: "renamed.bin")
        c.converge()
        #expect(c.allTreesEqual())
        #expect(c.framesSent[.request, default: 0] == requestsBefore, "a rename must not request chunks")
    }

    @Test func insertInLargeFileTransfersFewChunks() throws {
        let c = try Cluster(count: 2, seed: 3)
        c.connectAll()
        var rng = SeededRandom(seed: 30)
        var data = rng.bytes(4 << 20)
        try c.fss[0].writeAll("big.bin", data)
        c.converge()
        let before = c.framesSent[.request, default: 0]
        data.insert(contentsOf: rng.bytes(1024), at: data.count / 2)
        try c.fss[0].writeAll("big.bin", data)
        c.converge()
        #expect(c.allTreesEqual())
        #expect(c.framesSent[.request, default: 0] - before <= 2)
    }

    @Test(arguments: FolderBacking.allCases) func anAppendTransfersOnlyTheAppendedBytes(_ backing: FolderBacking) throws {
        let folders = backing == .disk ? TempFolders(count: 2) : nil
        defer { _ = folders }
        let c = try Cluster(count: 2, seed: 31, fileSystems: folders?.fileSystems)
        c.connectAll()
        var rng = SeededRandom(seed: 31)
        var small = rng.bytes(40 << 10)   // one chunk
        var large = rng.bytes(700 << 10)  // several chunks
        try c.fss[0].writeAll("small.log", small)
        try c.fss[0].writeAll("large.log", large)
        c.converge()
        #expect(c.allTreesEqual())
        let before = c.bytesSent[.response, default: 0]
        small += rng.bytes(2000)
        large += rng.bytes(3000)
        try c.fss[0].writeAll("small.log", small)
        try c.fss[0].writeAll("large.log", large)
        c.converge()
        #expect(c.allTreesEqual(), "seed 31")
        #expect(try c.fss[1].readAll("large.log", limit: 1 << 20) == large)
        // Random bytes do not compress: what crossed is the appended bytes and the frame headers.
        let sent = c.bytesSent[.response, default: 0] - before
        #expect(sent >= 5000 && sent < 5000 + 200, "seed 31: \(sent) response bytes for a 5,000-byte append")
        #expect(!c.events[1].contains { if case .pullFailed = $0 { true } else { false } })
    }

    @Test func aFileThatGrewWithoutAnAppendIsStillPulledWhole() throws {
        let c = try Cluster(count: 2, seed: 32)
        c.connectAll()
        var rng = SeededRandom(seed: 32)
        var data = rng.bytes(30 << 10)
        try c.fss[0].writeAll("grown.bin", data)
        c.converge()
        let before = c.bytesSent[.response, default: 0]
        data[5] ^= 0xFF               // an edit at the start, and more bytes at the end
        data += rng.bytes(4000)
        try c.fss[0].writeAll("grown.bin", data)
        c.converge()
        #expect(c.allTreesEqual(), "seed 32")
        #expect(try c.fss[1].readAll("grown.bin") == data)
        // The tail asked for first fails the hash with the old start; the whole chunk follows.
        let sent = c.bytesSent[.response, default: 0] - before
        #expect(sent > data.count && sent < data.count + 4000 + 200, "seed 32: \(sent) response bytes")
        #expect(!c.events[1].contains { if case .pullFailed = $0 { true } else { false } }, "the peer is not blamed")
    }

    @Test func threeEnginesConvergeThroughAChain() throws {
        let c = try Cluster(count: 3, seed: 4)
        c.connect(0, 1)
        c.connect(1, 2)   // 0 and 2 only meet through 1
        try c.fss[0].makeDirectories("a")
        try c.fss[0].writeAll("a/x.txt", Array("from 0".utf8))
        try c.fss[2].writeAll("y.txt", Array("from 2".utf8))
        c.converge()
        #expect(c.allTreesEqual())
        #expect(try c.fss[2].readAll("a/x.txt") == Array("from 0".utf8))
        #expect(try c.fss[0].readAll("y.txt") == Array("from 2".utf8))
    }

    /// The chunks of a file two peers hold are asked of both, the least busy first
    /// (``FolderEngine/leastBusyPeer(holders:excluding:)``).
    @Test func aPullSpreadsItsRequestsOverThePeersHoldingTheContent() throws {
        let c = try Cluster(count: 3, seed: 12)
        var rng = SeededRandom(seed: 12)
        let data = rng.bytes(3 << 20)
        for i in [1, 2] { try c.fss[i].writeAll("big.bin", data) }
        c.connect(1, 2)
        c.converge()
        c.connect(0, 1)
        c.connect(0, 2)
        c.converge()
        #expect(try c.fss[0].readAll("big.bin", limit: data.count) == data)
        let served = [1, 2].map { c.framesSentBy[$0]?[.response] ?? 0 }
        let requests = c.framesSentBy[0]?[.request] ?? 0
        #expect(requests > 10 && served.reduce(0, +) == requests)
        #expect(served.allSatisfy { $0 >= requests / 3 }, "both holders served: \(served) of \(requests)")
    }

    @Test(arguments: FolderBacking.allCases) func concurrentEditsMakeExactlyOneConflictCopy(_ backing: FolderBacking) throws {
        let folders = backing == .disk ? TempFolders(count: 3) : nil
        defer { _ = folders }
        let c = try Cluster(count: 3, seed: 5, fileSystems: folders?.fileSystems)
        c.connectAll()
        try c.fss[0].writeAll("notes.txt", Array("base".utf8))
        c.converge()
        c.disconnect(0, 1); c.disconnect(0, 2); c.disconnect(1, 2)
        try c.fss[0].writeAll("notes.txt", Array("edit on A".utf8))
        try c.fss[1].writeAll("notes.txt", Array("edit on B, longer".utf8))
        c.scan(0); c.scan(1)
        c.connectAll()
        c.converge()
        #expect(c.allTreesEqual())
        let tree = c.tree(0)
        let copies = tree.keys.filter { $0.contains(".sync-conflict-") }
        #expect(copies.count == 1, "\(tree.keys.sorted())")
        let copy = try #require(copies.first)
        #expect(copy.hasPrefix("notes.sync-conflict-") && copy.hasSuffix(".txt"))
        let winner = try c.fss[0].readAll("notes.txt"), loser = try c.fss[0].readAll(copy)
        #expect(Set([winner, loser]) == [Array("edit on A".utf8), Array("edit on B, longer".utf8)])
        let conflicts = c.events.flatMap { $0 }.filter { if case .conflict = $0 { return true } else { return false } }
        #expect(conflicts.count == 1)
    }

    @Test func conflictCopiesAreCappedPerFile() throws {
        let c = try Cluster(count: 2, seed: 6) { _, config in config.maxConflictCopies = 2 }
        c.connectAll()
        try c.fss[0].writeAll("n.txt", Array("base".utf8))
        c.converge()
        for round in 0..<4 {
            c.disconnect(0, 1)
            // B's edit is older (smaller mtime) so B loses every time and keeps a copy.
            try c.fss[1].writeAll("n.txt", Array("B \(round)".utf8))
            try c.fss[1].setModificationTime("n.txt", 1_000_000_000_000_000_000 + Int64(round) * 10_000_000_000)
            try c.fss[0].writeAll("n.txt", Array("A \(round)".utf8))
            c.scan(0); c.scan(1)
            c.connect(0, 1)
            c.converge()
        }
        #expect(c.allTreesEqual())
        let copies = c.tree(1).keys.filter { $0.hasPrefix("n.sync-conflict-") }.sorted()
        #expect(copies.count == 2, "\(copies)")
        #expect(try c.fss[1].readAll(copies.last ?? "") == Array("B 3".utf8))
    }

    @Test func conflictNameFormat() {
        let p = ConflictNaming.copyPath(for: SyncPath("dir/report.final.txt"), mtimeNanoseconds: 1_764_127_445_000_000_000,
                                        deviceID: "MFZWI3D-BONSGYC")
        #expect(p.string == "dir/report.final.sync-conflict-20251126-032405-MFZWI3D.txt")
        #expect(ConflictNaming.copyPath(for: SyncPath(".bashrc"), mtimeNanoseconds: 0, deviceID: "ABCDEFGH").string
                == ".bashrc.sync-conflict-19700101-000000-ABCDEFG")
        #expect(ConflictNaming.isCopy("report.final.sync-conflict-20251126-032405-MFZWI3D.txt", of: "report.final.txt"))
    }
}
