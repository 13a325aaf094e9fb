import Foundation
import Testing
@testable import SyncFS
import SyncProtocol

/// ``AtomicWriter`` starts writeback of large temp files while it fills them; that must never
/// make the target durable early: a power cut between the early writeback and the rename leaves
/// the old file, and the temp file resumes with only verified chunks.
@Suite struct EarlyWritebackTests {
    static let interval: UInt64 = 64 << 10

    func chunks(of data: [UInt8]) -> [(ChunkInfo, UInt64)] {
        var offset: UInt64 = 0
        return Chunker.standard.chunks(of: data).map { c in
            defer { offset += UInt64(c.size) }
            return (c, offset)
        }
    }

    @Test func writebackRunsEveryIntervalAndOnlyForLargeFiles() throws {
        let fs = InMemoryFileSystem()
        var writebacks = 0
        fs.faultHook = { op, _ throws(FileSystemError) in if op == "writeback" { writebacks += 1 } }
        let writer = AtomicWriter(fs: fs, writebackInterval: Self.interval)
        var rng = SystemRandomNumberGenerator()
        let big = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let small = Array(big.prefix(40_000))
        for (name, data) in [("big", big), ("small", small)] {
            let before = writebacks
            let temp = try writer.openTemp(for: SyncPath(name), contentHash: SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: data)), size: UInt64(data.count))
            for (c, o) in chunks(of: data) { try writer.write(Array(data[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp) }
            try writer.commit(temp, permissions: 0o644, mtimeNanoseconds: 1)
            #expect(try fs.readAll(name, limit: 2 << 20) == data)
            let crossing = chunks(of: data).filter { c, o in (o + UInt64(c.size)) / Self.interval > o / Self.interval }.count
            if name == "big" { #expect(writebacks - before == crossing && crossing > 0, "one writeback per chunk that crosses an interval") }
            else { #expect(writebacks == before, "a file below the interval never starts writeback") }
        }
    }

    /// Every range dropped from the page cache was given to writeback at an earlier crossing
    /// and lies at least two intervals behind the write front; a small file gets no advice while
    /// it is written; ``AtomicWriter/commit(_:permissions:mtimeNanoseconds:)`` drops any file
    /// whole once durable (before its rename), and ``AtomicWriter/place(_:)`` leaves that to the
    /// syncer that made the file durable (``FileSyncerTests``). The interval is the
    /// chunker's largest chunk, so no chunk crosses two boundaries at once (in the daemon it is
    /// 4 MiB against 256 KiB chunks).
    @Test(arguments: [false, true]) func cacheDropsTrailTheWritebackAndFollowDurability(withSyncer: Bool) throws {
        let fs = InMemoryFileSystem()
        let interval = UInt64(Chunker.standard.maxSize)
        let writer = AtomicWriter(fs: fs, writebackInterval: interval)
        var rng = SystemRandomNumberGenerator()
        let big = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for (name, data) in [("big", big), ("small", Array(big.prefix(40_000)))] {
            let temp = try writer.openTemp(for: SyncPath(name), contentHash: SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: data)), size: UInt64(data.count))
            var front: UInt64 = 0
            for (c, o) in chunks(of: data) {
                let before = fs.cacheAdvice.count
                try writer.write(Array(data[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp)
                front = max(front, o + UInt64(c.size))
                for a in fs.cacheAdvice[before...] where a.kind == "drop" {
                    #expect(a.count > 0 && a.offset + a.count + 2 * interval <= front, "a drop trails the front by two intervals")
                    let given = fs.cacheAdvice[..<before].filter { $0.kind == "writeback" }
                    #expect(stride(from: a.offset, to: a.offset + a.count, by: Int(interval)).allSatisfy { s in
                        given.contains { $0.offset <= s && s < $0.offset + $0.count }
                    }, "a dropped interval was given to writeback at an earlier crossing")
                }
            }
            let beforeCommit = fs.cacheAdvice.count
            if withSyncer {
                try writer.prepareForSync(temp, permissions: 0o644, mtimeNanoseconds: 1)
                #expect(fs.cacheAdvice.count == beforeCommit, "nothing is dropped before the file is durable")
                try fs.syncFile(temp.path)
                try writer.place(temp)
            } else {
                try writer.commit(temp, permissions: 0o644, mtimeNanoseconds: 1)
            }
            let whole = fs.cacheAdvice[beforeCommit...].filter { $0.kind == "drop" && $0.offset == 0 && $0.count == 0 }
            #expect(whole.count == (withSyncer ? 0 : 1), "\(name): dropped whole once durable by commit, by the syncer after place")
            #expect(try fs.readAll(name, limit: 4 << 20) == data)
        }
        #expect(!fs.cacheAdvice.contains { $0.path.contains("small") && ($0.kind == "writeback" || $0.count > 0) },
                "a file below the interval gets no advice while it is written")
        #expect(fs.cacheAdvice.filter { $0.kind == "drop" && $0.count > 0 }.count >= 8, "3 MiB at 256 KiB intervals drops as it goes")
    }

    @Test func aCrashAfterEarlyWritebackBeforeTheRenameLeavesTheOldFile() throws {
        var rng = SystemRandomNumberGenerator()
        let old = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let new = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let hash = SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: new))
        let parts = chunks(of: new)
        // Crash after each chunk write (some right after a writeback), then power-cut.
        for cut in stride(from: 1, to: parts.count, by: 2) {
            let fs = InMemoryFileSystem()
            try fs.makeDirectories("d")
            try fs.writeAll("d/f", old)
            fs.syncEverything()
            var writebacks = 0
            fs.faultHook = { op, _ throws(FileSystemError) in if op == "writeback" { writebacks += 1 } }
            let writer = AtomicWriter(fs: fs, writebackInterval: Self.interval)
            let temp = try writer.openTemp(for: SyncPath("d/f"), contentHash: hash, size: UInt64(new.count))
            for (c, o) in parts.prefix(cut) { try writer.write(Array(new[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp) }
            fs.crash()
            #expect(try fs.readAll("d/f", limit: 2 << 20) == old, "cut after \(cut) chunks (\(writebacks) writebacks): the target is old")
            // After the restart, a pull of the same content completes the file whole.
            let again = try writer.openTemp(for: SyncPath("d/f"), contentHash: hash, size: UInt64(new.count))
            for (c, o) in parts { try writer.write(Array(new[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: again) }
            try writer.commit(again, permissions: 0o644, mtimeNanoseconds: 1)
            fs.crash()
            #expect(try fs.readAll("d/f", limit: 2 << 20) == new)
            if cut >= parts.count - 2 { #expect(writebacks > 0, "the cuts covered early writeback") }
        }
    }

    /// Runs `body` with a ``LocalFileSystem`` in a new folder under the temp directory, a writer
    /// on it, `count` random bytes and a temp file opened for them at `f`.
    func withRealTempFile(_ count: Int, _ body: (String, LocalFileSystem, AtomicWriter, [UInt8], TempFile) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ewb-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = LocalFileSystem(root: root)
        let writer = AtomicWriter(fs: fs, writebackInterval: Self.interval)
        var rng = SystemRandomNumberGenerator()
        let data = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let temp = try writer.openTemp(for: SyncPath("f"), contentHash: SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: data)), size: UInt64(data.count))
        try body(root, fs, writer, data, temp)
    }

    @Test func realFilesStartWritebackAndStayByteIdentical() throws {
        try withRealTempFile(600 << 10) { _, fs, writer, data, temp in
            #expect(temp.handle is any WritebackStarting)
            for (c, o) in chunks(of: data).reversed() { try writer.write(Array(data[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp) }
            try writer.commit(temp, permissions: 0o644, mtimeNanoseconds: 1)
            #expect(try fs.readAll("f", limit: 1 << 20) == data)
        }
    }

    /// Through the daemon's path: a ``BackgroundFileSyncer`` with the file system's
    /// ``CachedPagesDropping`` makes the temp file durable and drops its pages, then
    /// ``AtomicWriter/place(_:)`` renames it. Once placed, neither a large file nor a small one
    /// is left in the page cache (mincore), and both read back byte-identical.
    @Test(arguments: [2 << 20, 40_000]) func aFileFlushedByTheSyncerLeavesThePageCache(size: Int) throws {
        try withRealTempFile(size) { root, fs, writer, data, temp in
            let syncer = BackgroundFileSyncer(threads: 1, sync: { path throws(FileSystemError) in try fs.syncFile(path) },
                                              dropCached: { path in fs.dropCachedPages(of: path) })
            for (c, o) in chunks(of: data) { try writer.write(Array(data[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp) }
            try writer.prepareForSync(temp, permissions: 0o644, mtimeNanoseconds: 1)
            syncer.submit(temp.path)
            syncer.waitForSubmitted()
            #expect(syncer.takeFinished() == [FileSyncResult(path: temp.path, error: nil)])
            try writer.place(temp)
            if let resident = Self.residentPages(root + "/f"), !Self.isTmpfs(root) {
                #expect(resident.resident * 4 < resident.total, "\(resident.resident) of \(resident.total) pages still cached")
            }
            #expect(try fs.readAll("f", limit: 4 << 20) == data)
        }
    }

    /// Pages of the file at `path` in the page cache (mincore over a read-only mapping).
    static func residentPages(_ path: String) -> (resident: Int, total: Int)? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, size) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vec = [UInt8](repeating: 0, count: (size + page - 1) / page)
        guard mincore(map, size, &vec) == 0 else { return nil }
        return (vec.filter { $0 & 1 != 0 }.count, vec.count)
    }

    /// tmpfs keeps file pages in memory whatever the advice.
    static func isTmpfs(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return true }
        var best = "", type = "tmpfs"
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 2 else { continue }
            let point = fields[1]
            let holds = path == point || path.hasPrefix(point.hasSuffix("/") ? point : point + "/")
            if holds && point.count >= best.count { best = point; type = fields[2] }
        }
        return type == "tmpfs"
    }
}
