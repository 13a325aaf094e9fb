#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

/// ``LocalFileSystem`` acts on nested paths through parent directories it holds open
/// (``DirectoryHandles``): these check that a held directory changed behind its back (replaced
/// by a symlink, renamed away, deleted and made again) is never written through.
@Suite struct LocalFileSystemTests {
    /// Runs a POSIX call on an absolute path (a change made by someone else than the file system under test).
    func outside(_ path: String, _ call: (UnsafePointer<CChar>) -> Int32) {
        let rc = path.withCString { call($0) }
        #expect(rc == 0, "outside change of \(path) failed: errno \(errno)")
    }

    @Test func everyNestedCallRefusesASymlinkedParent() throws {
        let dir = TempDirectory(), elsewhere = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("a")
        try fs.makeSymlink("a/link", target: elsewhere.path)
        try LocalFileSystem(root: elsewhere.path).writeAll("victim", [7])
        func refused(_ body: () throws -> Void, line: Int = #line) {
            do {
                try body()
                Issue.record("a call through a symlinked parent went through (line \(line))")
            } catch { #expect((error as? FileSystemError)?.code == FileSystemError.loop, "line \(line)") }
        }
        refused { _ = try fs.info("a/link/victim") }
        refused { _ = try fs.list("a/link/sub") }
        refused { _ = try fs.openRead("a/link/victim") }
        refused { _ = try fs.openWrite("a/link/victim", create: true, permissions: 0o644) }
        refused { _ = try fs.openCreating("a/link/new", permissions: 0o600) }
        refused { try fs.makeDirectory("a/link/d", permissions: 0o755) }
        refused { try fs.remove("a/link/victim") }
        refused { try fs.rename("a/link/victim", to: "a/link/moved") }
        refused { try fs.makeSymlink("a/link/s", target: "x") }
        refused { try fs.setPermissions("a/link/victim", 0o777) }
        refused { try fs.setModificationTime("a/link/victim", 0) }
        refused { try fs.syncFile("a/link/victim") }
        refused { try fs.syncDirectory("a/link/d") }
        let left = LocalFileSystem(root: elsewhere.path)
        #expect(try left.list("") == ["victim"])
        #expect(try left.info("victim")?.permissions == 0o644)
        // A regular file as a parent is "not a directory", and a missing parent "no entry".
        try fs.writeAll("a/file", [1])
        do { _ = try fs.openRead("a/file/x"); Issue.record("a file as a parent") } catch { #expect(error.code == FileSystemError.notDirectory) }
        #expect(try fs.info("a/missing/x") == nil)
    }

    @Test func aHeldDirectoryReplacedByASymlinkIsNotWrittenThrough() throws {
        let dir = TempDirectory(), elsewhere = TempDirectory()
        let fs = LocalFileSystem(root: dir.path, directoryTrustWindow: .zero)   // every call checks
        try fs.makeDirectories("a/b")
        try fs.writeAll("a/b/f", [1])   // "a/b" is held open now
        // Someone else moves the directory away and puts a symlink to another tree in its place.
        outside(dir.path + "/a/b") { old in (dir.path + "/a/moved").withCString { Glibc.rename(old, $0) } }
        outside(dir.path + "/a/b") { link in elsewhere.path.withCString { symlink($0, link) } }
        do {
            _ = try fs.openCreating("a/b/temp", permissions: 0o600)
            Issue.record("the create went through the symlink")
        } catch { #expect(error.code == FileSystemError.loop) }
        #expect(throws: FileSystemError.self) { try fs.writeAll("a/b/f", [2]) }
        #expect(try LocalFileSystem(root: elsewhere.path).list("").isEmpty)
        // The directory moved away was not written to either.
        #expect(try fs.readAll("a/moved/f") == [1])
        #expect(try fs.list("a/moved") == ["f"])
    }

    /// With the default trust window, a temp file's create just after someone moved the
    /// directory away (and put a symlink in its place) may still land in the moved directory,
    /// as if it had run just before the move, but never goes through the symlink; what can
    /// replace a file checks at once.
    @Test func aCreateJustAfterTheMoveLandsInTheMovedDirectoryNeverThroughTheSymlink() throws {
        let dir = TempDirectory(), elsewhere = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("a/b")
        try fs.writeAll("a/b/f", [1])   // "a/b" is held open and checked now
        outside(dir.path + "/a/b") { old in (dir.path + "/a/moved").withCString { Glibc.rename(old, $0) } }
        outside(dir.path + "/a/b") { link in elsewhere.path.withCString { symlink($0, link) } }
        do {
            let (file, _) = try fs.openCreating("a/b/temp", permissions: 0o600)
            file.close()
            #expect(try fs.list("a/moved").sorted() == ["f", "temp"], "created in the directory held open")
        } catch { #expect(error.code == FileSystemError.loop) }
        #expect(throws: FileSystemError.self) { try fs.writeAll("a/b/f", [2]) }
        #expect(try LocalFileSystem(root: elsewhere.path).list("").isEmpty, "nothing through the symlink")
        #expect(try fs.readAll("a/moved/f") == [1])
    }

    @Test func aHeldDirectoryDeletedAndMadeAgainIsTheNewOne() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("d")
        try fs.writeAll("d/old", [1])
        #expect(try fs.info("d/old") != nil)
        // Removed and made again by someone else (rm -rf d; mkdir d; a new file in it).
        outside(dir.path + "/d/old") { unlink($0) }
        outside(dir.path + "/d") { rmdir($0) }
        outside(dir.path + "/d") { mkdir($0, 0o755) }
        outside(dir.path + "/d/new") { p in
            let fd = open(p, O_WRONLY | O_CREAT, 0o644)
            return fd >= 0 ? close(fd) : -1
        }
        #expect(try fs.info("d/new")?.kind == .file)
        try fs.writeAll("d/second", [2])
        #expect(try fs.list("d") == ["new", "second"])
    }

    @Test func renamingOrRemovingAHeldDirectoryIsSeen() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeDirectories("x/y")
        try fs.writeAll("x/y/f", [1])
        #expect(try fs.readAll("x/y/f") == [1])   // "x/y" checked just now
        try fs.rename("x", to: "z")
        // Reads skip the check of a directory checked a moment ago, but never across the file
        // system's own rename: the old path is gone at once.
        #expect(throws: FileSystemError.self) { try fs.openRead("x/y/f").close() }
        #expect(try fs.info("x/y/f") == nil)
        #expect(try fs.readAll("z/y/f") == [1])
        try fs.removeRecursively("z")
        try fs.makeDirectories("z/y")
        try fs.writeAll("z/y/g", [2])
        #expect(try fs.list("z/y") == ["g"])
        // Many directories (more than are held open) all stay reachable.
        for i in 0..<(DirectoryHandles.limit + 10) { try fs.makeDirectories("many/d\(i)"); try fs.writeAll("many/d\(i)/f", [UInt8(i & 0xFF)]) }
        for i in 0..<(DirectoryHandles.limit + 10) { #expect(try fs.readAll("many/d\(i)/f") == [UInt8(i & 0xFF)]) }
    }
}

extension LocalFileSystemTests {
    /// Threads reading and writing across more directories than are held open: descriptors are
    /// replaced and evicted while others use them, and every call still reaches its own file.
    @Test func concurrentCallsAcrossMoreDirectoriesThanAreHeld() throws {
        let dir = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        let count = DirectoryHandles.limit + 44
        for i in 0..<count { try fs.makeDirectories("p/d\(i)"); try fs.writeAll("p/d\(i)/f", [UInt8(i & 0xFF), UInt8(i >> 8)]) }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<3 {
                for k in 0..<count {
                    let i = (k * 7 + worker * 31 + round * 13) % count
                    let ok = ((try? fs.readAll("p/d\(i)/f")) == [UInt8(i & 0xFF), UInt8(i >> 8)])
                        && ((try? fs.info("p/d\(i)/w\(worker)")) != nil) == (round > 0)
                        && (try? fs.writeAll("p/d\(i)/w\(worker)", [UInt8(worker)])) != nil
                    if !ok { failures.withLock { $0 += 1 } }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        for i in 0..<count { #expect(try fs.list("p/d\(i)") == ["f", "w0", "w1", "w2", "w3"]) }
    }
}

/// The temp file of a pull: a new one is not truncated first (its chunks give it its length),
/// one left by an interrupted pull is cut or grown to the target size and resumed.
@Suite struct AtomicWriterTempTests {
    @Test(arguments: FSKind.allCases) func aTempFileGetsItsLengthFromItsChunksOrFromTheResume(_ kind: FSKind) throws {
        let (fs, dir) = makeFS(kind)
        _ = dir
        try fs.makeDirectories("d")
        var rng = SeededRandom(seed: 9)
        let data = rng.bytes(150_000)
        let chunks = Chunker.standard.chunks(of: data)
        #expect(chunks.count > 1)
        let hash = SHA256Hasher.contentHash(of: chunks)
        let writer = AtomicWriter(fs: fs)
        let target = SyncPath("d/f")
        // A pull interrupted after its first chunk (a crash before the commit): the temp file is
        // shorter than the target and the target is not there.
        let first = try writer.openTemp(for: target, contentHash: hash, size: UInt64(data.count))
        #expect(!first.resumable)
        try writer.write(Array(data[0..<Int(chunks[0].size)]), chunk: chunks[0], at: 0, into: first)
        first.close()
        #expect(try fs.info(first.path)?.size == UInt64(chunks[0].size))
        #expect(try fs.info("d/f") == nil)
        // The next pull of the same content resumes it at the target's length and fills the rest.
        let again = try writer.openTemp(for: target, contentHash: hash, size: UInt64(data.count))
        #expect(again.resumable && again.path == first.path)
        #expect(try fs.info(again.path)?.size == UInt64(data.count))
        var offset = Int(chunks[0].size)
        for c in chunks.dropFirst() {
            try writer.write(Array(data[offset..<(offset + Int(c.size))]), chunk: c, at: UInt64(offset), into: again)
            offset += Int(c.size)
        }
        try writer.commit(again, permissions: 0o644, mtimeNanoseconds: 1_700_000_000_000_000_000)
        #expect(try fs.readAll("d/f") == data)
        #expect(try fs.list("d") == ["f"])
    }
}
