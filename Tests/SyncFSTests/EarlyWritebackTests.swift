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

    @Test func realFilesStartWritebackAndStayByteIdentical() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ewb-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = LocalFileSystem(root: root)
        let writer = AtomicWriter(fs: fs, writebackInterval: Self.interval)
        var rng = SystemRandomNumberGenerator()
        let data = (0..<(600 << 10)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let temp = try writer.openTemp(for: SyncPath("f"), contentHash: SHA256Hasher.contentHash(of: Chunker.standard.chunks(of: data)), size: UInt64(data.count))
        #expect(temp.handle is any WritebackStarting)
        for (c, o) in chunks(of: data).reversed() { try writer.write(Array(data[Int(o)..<Int(o) + Int(c.size)]), chunk: c, at: o, into: temp) }
        try writer.commit(temp, permissions: 0o644, mtimeNanoseconds: 1)
        #expect(try fs.readAll("f", limit: 1 << 20) == data)
    }
}
