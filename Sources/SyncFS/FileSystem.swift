#if canImport(Glibc)
import Glibc
#endif
import SyncProtocol

/// What `lstat` says about one entry (symlinks are described, never followed).
public struct FileInfo: Hashable, Sendable {
    /// Entry kind; nil for sockets, FIFOs and devices, which are never synced.
    public var kind: FileKind?
    /// Size in bytes.
    public var size: UInt64
    /// Permission bits (low 12 bits of st_mode).
    public var permissions: UInt32
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNanoseconds: Int64
    /// Status-change time in nanoseconds since the epoch.
    public var ctimeNanoseconds: Int64
    /// Inode number.
    public var inode: UInt64
    /// The link target, for symlinks.
    public var symlinkTarget: String?

    /// An entry description.
    public init(kind: FileKind?, size: UInt64, permissions: UInt32, mtimeNanoseconds: Int64, ctimeNanoseconds: Int64,
                inode: UInt64, symlinkTarget: String? = nil) {
        self.kind = kind; self.size = size; self.permissions = permissions; self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeNanoseconds = ctimeNanoseconds; self.inode = inode; self.symlinkTarget = symlinkTarget
    }
}

/// A failed file-system operation, with its errno.
public struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The errno value (ENOENT, EEXIST, …).
    public var code: Int32
    /// What was attempted.
    public var operation: String
    /// The relative path involved.
    public var path: String
    /// An error.
    public init(code: Int32, operation: String, path: String) { self.code = code; self.operation = operation; self.path = path }

    /// ENOENT.
    public static let noEntry: Int32 = 2
    /// EEXIST.
    public static let exists: Int32 = 17
    /// ENOTDIR.
    public static let notDirectory: Int32 = 20
    /// ENOTEMPTY.
    public static let notEmpty: Int32 = 39
    /// ELOOP (a symlink where a directory was required).
    public static let loop: Int32 = 40
    /// EIO.
    public static let io: Int32 = 5

    /// True for ENOENT.
    public var isNotFound: Bool { code == Self.noEntry }
    public var description: String {
        let reason = strerror(code).map { String(cString: $0) } ?? "error"
        let hint = code == 28 ? " (the disk is full: free some space; syncing resumes by itself)" : ""
        return "\(operation) \(path): \(reason) (errno \(code))\(hint)"
    }
}

/// An open file for reading at offsets.
public protocol ReadableFile {
    /// Reads up to `buffer.count` bytes at `offset` into `buffer`; returns bytes read (0 at end of file).
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int
    /// Closes the file.
    func close()
    /// What `fstat` says about the open file now, as the scanner records it; nil when the
    /// implementation cannot tell (the default).
    func currentState() -> LocalFileState?
}

extension ReadableFile {
    /// ``ReadableFile`` requirement: unknown.
    public func currentState() -> LocalFileState? { nil }

    /// Reads exactly `count` bytes at `offset` (fewer only at end of file). The bytes are read
    /// into the array's storage as allocated, never zeroed first (zeroing each served chunk was
    /// ~2 % of a sending daemon's CPU).
    public func read(at offset: UInt64, count: Int) throws(FileSystemError) -> [UInt8] {
        var failure: FileSystemError?
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(FileSystemError) {
                initialized = try readFully(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Reads `buffer.count` bytes at `offset` into `buffer` (the caller's memory: a frame's
    /// payload, say); returns how many were read, fewer only at end of file.
    public func readFully(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(at: offset + UInt64(filled), into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}

/// An open file for writing at offsets.
public protocol WritableFile {
    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FileSystemError)
    /// Sets the file's length.
    func truncate(to size: UInt64) throws(FileSystemError)
    /// Flushes data and metadata to stable storage (fsync).
    func sync() throws(FileSystemError)
    /// Sets the open file's permission bits (fchmod: no path lookup).
    func setPermissions(_ permissions: UInt32) throws(FileSystemError)
    /// Sets the open file's modification time in nanoseconds since the epoch (futimens).
    func setModificationTime(_ nanoseconds: Int64) throws(FileSystemError)
    /// Closes the file.
    func close()
}

extension WritableFile {
    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(FileSystemError) {
        try write(bytes[...], at: offset)
    }

    /// Writes all of `bytes` at `offset` (a chunk still in the frame that carried it).
    public func write(_ bytes: ArraySlice<UInt8>, at offset: UInt64) throws(FileSystemError) {
        try bytes.withUnsafeBytes { b in Result { () throws(FileSystemError) in try write(b, at: offset) } }.get()
    }
}

/// The file operations the scanner, puller and writer need, on paths relative to a folder root.
///
/// `""` is the root. Implementations never follow a symlink in the last component, and
/// ``LocalFileSystem`` refuses a symlink in any earlier one. ``InMemoryFileSystem`` serves tests.
public protocol FileSystem: AnyObject {
    /// lstat: the entry at `path`, or nil when there is none.
    func info(_ path: String) throws(FileSystemError) -> FileInfo?
    /// Names in the directory at `path` (without `.` and `..`), in byte order.
    func list(_ path: String) throws(FileSystemError) -> [String]
    /// Opens a regular file for reading. What is read must be checked by the caller (against a
    /// hash, or the open file's state against a recorded one): ``LocalFileSystem`` may resolve
    /// the parent through a directory handle checked up to 50 ms ago (see `DirectoryHandles`).
    func openRead(_ path: String) throws(FileSystemError) -> any ReadableFile
    /// Opens (creating when `create`) a regular file for writing with `permissions` for a new file.
    func openWrite(_ path: String, create: Bool, permissions: UInt32) throws(FileSystemError) -> any WritableFile
    /// Creates a regular file for writing with `permissions`, or opens the one already there;
    /// `existingSize` is nil when it was created, else the size it had. The default asks
    /// ``info(_:)`` and then ``openWrite(_:create:permissions:)``. For temp files only: like
    /// ``openRead(_:)`` and ``renameNoReplace(_:to:)``, ``LocalFileSystem`` may reach the parent
    /// through a directory handle checked up to 50 ms ago.
    func openCreating(_ path: String, permissions: UInt32) throws(FileSystemError) -> (file: any WritableFile, existingSize: UInt64?)
    /// Creates a directory.
    func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError)
    /// Removes a file, symlink or empty directory.
    func remove(_ path: String) throws(FileSystemError)
    /// Atomically renames `from` to `to`, replacing a file at `to`.
    func rename(_ from: String, to: String) throws(FileSystemError)
    /// Renames `from` to `to` only when nothing is at `to`, and returns what `lstat` shows at
    /// `to` right after (nil if it went meanwhile). Throws ``FileSystemError/exists`` when `to`
    /// is taken, renaming nothing. The default asks ``info(_:)`` first (not atomic);
    /// ``LocalFileSystem`` renames with `RENAME_NOREPLACE` and looks in the same directory.
    func renameNoReplace(_ from: String, to: String) throws(FileSystemError) -> FileInfo?
    /// Creates a symlink at `path` pointing at `target`.
    func makeSymlink(_ path: String, target: String) throws(FileSystemError)
    /// Sets permission bits.
    func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError)
    /// Sets the modification time (nanoseconds since the epoch), not following symlinks.
    func setModificationTime(_ path: String, _ nanoseconds: Int64) throws(FileSystemError)
    /// fsyncs a directory so renames and creations in it are durable.
    func syncDirectory(_ path: String) throws(FileSystemError)
    /// Makes a regular file's data and metadata durable (fsync), given only its path, so a
    /// closed file can be flushed on another thread (see ``FileSyncer``).
    func syncFile(_ path: String) throws(FileSystemError)
    /// True when several threads may open and read files at once (the scanner then hashes in parallel).
    var supportsConcurrentReads: Bool { get }
}

extension FileSystem {
    /// By default a file system is used from one thread at a time.
    public var supportsConcurrentReads: Bool { false }

    /// ``FileSystem`` requirement: ``info(_:)``, then ``openWrite(_:create:permissions:)``.
    public func openCreating(_ path: String, permissions: UInt32) throws(FileSystemError) -> (file: any WritableFile, existingSize: UInt64?) {
        let existing = try info(path)
        let file = try openWrite(path, create: true, permissions: permissions)
        return (file, existing.map(\.size))
    }

    /// ``FileSystem`` requirement: ``renameLookingFirst(_:to:)``.
    public func renameNoReplace(_ from: String, to: String) throws(FileSystemError) -> FileInfo? {
        try renameLookingFirst(from, to: to)
    }

    /// ``renameNoReplace(_:to:)`` without help from the file system: ``info(_:)``, then
    /// ``rename(_:to:)``, then ``info(_:)`` (not atomic).
    public func renameLookingFirst(_ from: String, to: String) throws(FileSystemError) -> FileInfo? {
        if try info(to) != nil { throw FileSystemError(code: FileSystemError.exists, operation: "rename", path: to) }
        try rename(from, to: to)
        return try info(to)
    }

    /// Joins a directory path and a name.
    public static func join(_ dir: String, _ name: String) -> String { dir.isEmpty ? name : dir + "/" + name }

    /// Reads a whole (small) file; used for `.syncignore`.
    public func readAll(_ path: String, limit: Int = 1 << 20) throws(FileSystemError) -> [UInt8] {
        let size = try info(path)?.size ?? 0
        let f = try openRead(path)
        defer { f.close() }
        return try f.read(at: 0, count: Int(min(UInt64(limit), size)))
    }

    /// Writes a whole file (create or replace in place); a test and tool helper, not crash-safe.
    public func writeAll(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o644) throws(FileSystemError) {
        let f = try openWrite(path, create: true, permissions: permissions)
        defer { f.close() }
        try f.truncate(to: 0)
        try f.write(bytes, at: 0)
    }

    /// Creates `path` and any missing parents as directories.
    public func makeDirectories(_ path: String, permissions: UInt32 = 0o755) throws(FileSystemError) {
        guard !path.isEmpty else { return }
        if let existing = try info(path) {
            guard existing.kind == .directory else {
                throw FileSystemError(code: FileSystemError.notDirectory, operation: "mkdir -p", path: path)
            }
            return
        }
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            try makeDirectories(String(path[..<slash]), permissions: permissions)
        }
        try makeDirectory(path, permissions: permissions)
    }

    /// Removes `path` and, for a directory, everything below it.
    public func removeRecursively(_ path: String) throws(FileSystemError) {
        guard let i = try info(path) else { return }
        if i.kind == .directory {
            for name in try list(path) { try removeRecursively(Self.join(path, name)) }
        }
        try remove(path)
    }
}
