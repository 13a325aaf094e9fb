#if canImport(Glibc)
import Glibc
#endif
import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

/// Runs the same scanner scenario on the in-memory and the real file system.
enum FSKind: String, CaseIterable, Sendable { case memory, local }

final class TempDirectory {
    let path: String
    init() {
        var template = Array("/tmp/peersync-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        precondition(made, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit { try? LocalFileSystem(root: "/").removeRecursively(String(path.dropFirst())) }
}

func makeFS(_ kind: FSKind) -> (any FileSystem, TempDirectory?) {
    switch kind {
    case .memory: return (InMemoryFileSystem(), nil)
    case .local:
        let dir = TempDirectory()
        return (LocalFileSystem(root: dir.path), dir)
    }
}

@Suite struct ScannerTests {
    func index(_ result: ScanResult, into states: inout [SyncPath: LocalFileState]) {
        for e in result.changed { states[e.path] = e.state }
        for p in result.missing { states[p] = nil }
    }

    @Test(arguments: FSKind.allCases) func scanFindsChangesAndHonoursIgnores(_ kind: FSKind) throws {
        let (fs, dir) = makeFS(kind)
        _ = dir
        var rng = SeededRandom(seed: 4)
        try fs.makeDirectories("src/deep")
        try fs.makeDirectories("build/out")
        try fs.writeAll("src/a.txt", Array("hello".utf8))
        try fs.writeAll("src/deep/b.bin", rng.bytes(300_000))
        try fs.writeAll("build/out/x.o", [1, 2, 3])
        try fs.writeAll("debug.log", [0])
        try fs.writeAll(".syncignore", Array("/build/\n*.log\n".utf8))
        try fs.makeSymlink("link", target: "src/a.txt")
        try fs.writeAll(PathPolicy.tempPrefix + "partial-abc", [9])
        try fs.makeDirectories(PathPolicy.stateDirectoryName)
        try fs.writeAll(Scanner.overlayPath, Array("src/deep/\n".utf8))

        let scanner = Scanner(fs: fs)
        var states: [SyncPath: LocalFileState] = [:]
        let first = scanner.scan(known: { states[$0] }, knownPaths: [])
        let paths = Set(first.changed.map(\.path.string))
        #expect(paths == [".syncignore", "link", "src", "src/a.txt"])
        #expect(first.tempFiles == [PathPolicy.tempPrefix + "partial-abc"])
        #expect(first.changed.first { $0.path.string == "link" }?.state.symlinkTarget == "src/a.txt")
        #expect(first.changed.first { $0.path.string == "src/a.txt" }?.chunks?.first?.hash == SHA256Hasher.hash(Array("hello".utf8)))
        index(first, into: &states)

        let again = scanner.scan(known: { states[$0] }, knownPaths: Array(states.keys))
        #expect(again.changed.isEmpty && again.missing.isEmpty && again.hashedBytes == 0)

        try fs.writeAll("src/a.txt", Array("hello, world".utf8))
        try fs.remove("link")
        try fs.setPermissions(".syncignore", 0o600)
        let third = scanner.scan(known: { states[$0] }, knownPaths: Array(states.keys))
        #expect(third.missing == [SyncPath("link")])
        let changed = Dictionary(uniqueKeysWithValues: third.changed.map { ($0.path.string, $0) })
        #expect(Set(changed.keys).isSuperset(of: ["src/a.txt", ".syncignore"]))
        #expect(changed["src/a.txt"]?.chunks?.count == 1)
        #expect(changed[".syncignore"]?.state.permissions == 0o600)
        #expect(changed[".syncignore"]?.chunks == nil, "a chmod is not a content change")
        #expect(third.hashedBytes == 12)
    }

    @Test func parallelHashingInSmallBatchesMatchesOneThread() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        var rng = SeededRandom(seed: 41)
        try fs.makeDirectories("a/b")
        for i in 0..<9 { try fs.writeAll(i % 2 == 0 ? "a/f\(i)" : "a/b/g\(i)", rng.bytes(Int(rng.next() % 300_000))) }
        var one = Scanner(fs: fs, hashThreads: 1)
        one.hashBatchFiles = 1_000
        var many = Scanner(fs: fs, hashThreads: 2)
        many.hashBatchFiles = 2   // batches flush in the middle of the walk
        let a = one.scan(known: { _ in nil }, knownPaths: [])
        let b = many.scan(known: { _ in nil }, knownPaths: [])
        #expect(a.changed == b.changed && a.hashedBytes == b.hashedBytes && a.changed.count == 11)
        #expect(b.changed.allSatisfy { $0.state.kind != .file || $0.chunks?.isEmpty == false || $0.state.size == 0 })
    }

    @Test func localFileSystemRefusesSymlinkedParents() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("real")
        try fs.makeSymlink("escape", target: "/tmp")
        #expect(throws: FileSystemError.self) { try fs.writeAll("escape/owned", [1]) }
        #expect(throws: FileSystemError.self) { _ = try fs.info("escape/x") }
        let mem = InMemoryFileSystem()
        try mem.makeSymlink("escape", target: "/tmp")
        #expect(throws: FileSystemError.self) { try mem.writeAll("escape/owned", [1]) }
        // Deeper symlinks, the temp-file create and a rename within one parent are refused too,
        // and nothing lands in the directory the links point at.
        let outside = TempDirectory()
        try fs.makeSymlink("real/out", target: outside.path)
        try fs.writeAll("real/f", [1])
        #expect(throws: FileSystemError.self) { _ = try fs.openCreating("real/out/temp", permissions: 0o600) }
        #expect(throws: FileSystemError.self) { _ = try fs.openCreating("escape/temp", permissions: 0o600) }
        #expect(throws: FileSystemError.self) { try fs.rename("real/f", to: "real/out/f") }
        #expect(throws: FileSystemError.self) { try fs.makeDirectory("real/out/d", permissions: 0o755) }
        do {
            _ = try fs.info("real/out/x")
            Issue.record("a lookup through a symlinked parent must fail")
        } catch { #expect(error.code == FileSystemError.loop) }
        #expect(try LocalFileSystem(root: outside.path).list("").isEmpty)
        // An existing temp file is opened, not replaced, and its size reported.
        try fs.writeAll("real/t", [1, 2, 3])
        let (file, size) = try fs.openCreating("real/t", permissions: 0o600)
        file.close()
        #expect(size == 3)
        let (created, none) = try fs.openCreating("real/new", permissions: 0o600)
        created.close()
        #expect(none == nil)
        #expect(try fs.info("real/new")?.permissions == 0o600)
    }

    @Test(arguments: FSKind.allCases) func atomicWriterVerifiesAndPlaces(_ kind: FSKind) throws {
        let (fs, dir) = makeFS(kind)
        _ = dir
        try fs.makeDirectories("d")
        try fs.writeAll("d/f", Array("old".utf8))
        var rng = SeededRandom(seed: 5)
        let data = rng.bytes(200_000)
        let chunks = Chunker.standard.chunks(of: data)
        let writer = AtomicWriter(fs: fs)
        let target = SyncPath("d/f")
        let temp = try writer.openTemp(for: target, contentHash: SHA256Hasher.contentHash(of: chunks), size: UInt64(data.count))
        #expect(throws: AtomicWriterError.self) { try writer.write(Array(repeating: 0, count: Int(chunks[0].size)), chunk: chunks[0], at: 0, into: temp) }
        var offset = 0
        for c in chunks {
            try writer.write(Array(data[offset..<(offset + Int(c.size))]), chunk: c, at: UInt64(offset), into: temp)
            offset += Int(c.size)
        }
        #expect(try fs.readAll("d/f") == Array("old".utf8))
        try writer.commit(temp, permissions: 0o640, mtimeNanoseconds: 1_600_000_000_123_456_789)
        #expect(try fs.readAll("d/f") == data)
        let info = try #require(try fs.info("d/f"))
        #expect(info.permissions == 0o640 && info.mtimeNanoseconds == 1_600_000_000_123_456_789)
        #expect(try fs.list("d") == ["f"])
    }
}
