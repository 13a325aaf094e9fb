#if canImport(Glibc)
import Glibc
#endif
import CPlatform
import SyncProtocol

/// The real file system below a root directory, through POSIX calls.
///
/// Paths are relative to ``root``. Every operation refuses to pass through a symlink in a
/// parent component and never follows one in the last component, so a hostile tree cannot
/// redirect a write outside the folder: a nested path is acted on with one `*at()` call in its
/// parent directory, held open by ``DirectoryHandles`` (opened without following symlinks, and
/// checked to still be what the path names before each use).
public final class LocalFileSystem: FileSystem, Sendable {
    /// Absolute path of the folder root.
    public let root: String
    /// Open parent directories, so a call on a nested path is one `*at()` call.
    private let directories: DirectoryHandles

    /// How long a directory handle's check lets calls that can neither replace nor remove
    /// anything skip the next one, unless told otherwise.
    public static let defaultDirectoryTrustWindow: Duration = .milliseconds(50)

    /// A file system rooted at `root` (an absolute directory path). Calls that can neither
    /// replace nor remove anything skip checking a directory checked within
    /// `directoryTrustWindow` (see `DirectoryHandles`; zero: every call checks).
    public init(root: String, directoryTrustWindow: Duration = LocalFileSystem.defaultDirectoryTrustWindow) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        directories = DirectoryHandles(root: self.root, trustWindow: directoryTrustWindow)
    }

    /// POSIX reads are thread-safe and the only mutable state (open directories) is locked.
    public var supportsConcurrentReads: Bool { true }

    private func full(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    private func fail(_ op: String, _ path: String) -> FileSystemError {
        FileSystemError(code: errno, operation: op, path: path)
    }

    /// Refuses a path whose parent components include a symlink or a non-directory (for a
    /// rename between two directories, the one call not made relative to a parent).
    ///
    /// Every parent is checked with `lstat`, from the root down; the prefixes are made in one
    /// C buffer (a `/` turned into a NUL for each call) rather than as a string per component.
    private func checkParents(_ path: String, op: String) throws(FileSystemError) {
        guard path.utf8.contains(UInt8(ascii: "/")) else { return }
        var buffer = [CChar]()
        buffer.reserveCapacity(root.utf8.count + path.utf8.count + 2)
        for b in root.utf8 { buffer.append(CChar(bitPattern: b)) }
        buffer.append(CChar(bitPattern: UInt8(ascii: "/")))
        let start = buffer.count
        for b in path.utf8 { buffer.append(CChar(bitPattern: b)) }
        buffer.append(0)
        var failure: FileSystemError?
        buffer.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for i in start..<(buf.count - 1) where buf[i] == CChar(bitPattern: UInt8(ascii: "/")) {
                buf[i] = 0
                var st = stat()
                let rc = lstat(base, &st)
                buf[i] = CChar(bitPattern: UInt8(ascii: "/"))
                guard rc == 0 else { failure = fail(op, path); return }
                guard st.st_mode & S_IFMT == S_IFDIR else {
                    failure = FileSystemError(code: st.st_mode & S_IFMT == S_IFLNK ? FileSystemError.loop : FileSystemError.notDirectory,
                                              operation: op, path: path)
                    return
                }
            }
        }
        if let failure { throw failure }
    }

    /// The bytes of `path` before its last `/` (empty at the top level).
    static func parentPart(_ path: String) -> Substring.UTF8View {
        let u = path.utf8
        return Substring(path)[..<(u.lastIndex(of: UInt8(ascii: "/")) ?? u.startIndex)].utf8
    }

    static func nanoseconds(_ ts: timespec) -> Int64 { Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec) }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func info(_ path: String) throws(FileSystemError) -> FileInfo? {
        var st = stat()
        var target: String?
        let failure: Int32
        do {
            failure = try at(path, op: "lstat") { dir, name in
                guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return errno }
                guard st.st_mode & S_IFMT == S_IFLNK else { return 0 }
                var buf = [CChar](repeating: 0, count: 4097)
                let n = readlinkat(dir, name, &buf, 4096)
                guard n >= 0 else { return -errno }
                target = String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return 0
            }
        } catch where error.isNotFound { return nil }
        if failure == ENOENT { return nil }
        if failure > 0 { throw FileSystemError(code: failure, operation: "lstat", path: path) }
        if failure < 0 { throw FileSystemError(code: -failure, operation: "readlink", path: path) }
        return Self.info(st, symlinkTarget: target)
    }

    /// What `st` (from `lstat`) describes.
    static func info(_ st: stat, symlinkTarget: String?) -> FileInfo {
        let kind: FileKind?
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = nil
        }
        return FileInfo(kind: kind, size: UInt64(max(0, st.st_size)), permissions: UInt32(st.st_mode) & 0o7777,
                        mtimeNanoseconds: Self.nanoseconds(st.st_mtim), ctimeNanoseconds: Self.nanoseconds(st.st_ctim),
                        inode: UInt64(st.st_ino), symlinkTarget: symlinkTarget)
    }

    /// A directory entry's name; nil for `.` and `..` and for names that are not valid UTF-8
    /// (they cannot be represented on the wire: listings skip them).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String? {
        guard let name = withUnsafeBytes(of: entry.pointee.d_name, { raw -> String? in
            String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
        }), name != ".", name != ".." else { return nil }
        return name
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func list(_ path: String) throws(FileSystemError) -> [String] {
        let fd = try at(path, op: "opendir") { dir, name in
            let fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            return fd >= 0 ? fd : -errno
        }
        guard fd >= 0 else { throw FileSystemError(code: -fd, operation: "opendir", path: path) }
        guard let dir = fdopendir(fd) else {
            let e = fail("opendir", path)
            Glibc.close(fd)
            throw e
        }
        defer { closedir(dir) }
        var names: [SyncPath] = []
        while let entry = readdir(dir) {
            guard let name = Self.name(of: entry) else { continue }
            names.append(SyncPath(name))
        }
        return names.sorted().map(\.string)
    }

    final class Handle: ReadableFile, WritableFile {
        let fd: Int32
        let path: String
        private var closed = false
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
        deinit { if !closed { Glibc.close(fd) } }

        func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
            while true {
                let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
                if n >= 0 { return n }
                if errno != EINTR { throw FileSystemError(code: errno, operation: "pread", path: path) }
            }
        }
        func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FileSystemError) {
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError(code: errno, operation: "pwrite", path: path)
                }
                done += n
            }
        }
        func truncate(to size: UInt64) throws(FileSystemError) {
            guard ftruncate(fd, off_t(size)) == 0 else { throw FileSystemError(code: errno, operation: "ftruncate", path: path) }
        }
        func sync() throws(FileSystemError) {
            guard fsync(fd) == 0 else { throw FileSystemError(code: errno, operation: "fsync", path: path) }
        }
        func setPermissions(_ permissions: UInt32) throws(FileSystemError) {
            guard fchmod(fd, mode_t(permissions & 0o7777)) == 0 else { throw FileSystemError(code: errno, operation: "fchmod", path: path) }
        }
        func setModificationTime(_ nanoseconds: Int64) throws(FileSystemError) {
            var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2 /* UTIME_OMIT */),
                         timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))]
            guard futimens(fd, &times) == 0 else { throw FileSystemError(code: errno, operation: "futimens", path: path) }
        }
        func currentState() -> LocalFileState? {
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
            return LocalFileState(kind: .file, size: UInt64(max(0, st.st_size)), permissions: UInt32(st.st_mode) & 0o7777,
                                  mtimeNanoseconds: LocalFileSystem.nanoseconds(st.st_mtim),
                                  ctimeNanoseconds: LocalFileSystem.nanoseconds(st.st_ctim), inode: UInt64(st.st_ino))
        }
        func close() {
            guard !closed else { return }
            closed = true
            Glibc.close(fd)
        }
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func openRead(_ path: String) throws(FileSystemError) -> any ReadableFile {
        Handle(fd: try openFile(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, op: "open", trusting: true), path: path)
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func openWrite(_ path: String, create: Bool, permissions: UInt32) throws(FileSystemError) -> any WritableFile {
        Handle(fd: try openFile(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), mode: permissions, op: "open-write"), path: path)
    }

    /// ``FileSystem`` requirement, through POSIX calls: an exclusive create (no `lstat` first),
    /// or, when the file exists, an open of it and an `fstat` for its size.
    public func openCreating(_ path: String, permissions: UInt32) throws(FileSystemError) -> (file: any WritableFile, existingSize: UInt64?) {
        let (fd, created) = try at(path, op: "open-write", trusting: true) { dir, name -> (Int32, Bool) in
            let fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions & 0o7777))
            if fd >= 0 { return (fd, true) }
            guard errno == EEXIST else { return (-errno, false) }
            let existing = openat(dir, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            return (existing >= 0 ? existing : -errno, false)
        }
        guard fd >= 0 else { throw FileSystemError(code: -fd, operation: "open-write", path: path) }
        if created { return (Handle(fd: fd, path: path), nil) }
        let existing = fd
        let handle = Handle(fd: existing, path: path)   // closes the descriptor if fstat fails
        var st = stat()
        guard fstat(existing, &st) == 0 else { throw fail("fstat", path) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileSystemError(code: 21 /* EISDIR */, operation: "open-write", path: path) }
        return (handle, UInt64(max(0, st.st_size)))
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError) {
        try check(path, op: "mkdir") { dir, name in mkdirat(dir, name, mode_t(permissions & 0o7777)) }
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func remove(_ path: String) throws(FileSystemError) {
        var isDirectory = false
        let failure = try at(path, op: "remove") { dir, name in
            var st = stat()
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return errno }
            isDirectory = st.st_mode & S_IFMT == S_IFDIR
            return unlinkat(dir, name, isDirectory ? AT_REMOVEDIR : 0) == 0 ? 0 : -errno
        }
        if failure > 0 { throw FileSystemError(code: failure, operation: "lstat", path: path) }
        if failure < 0 { throw FileSystemError(code: -failure, operation: "remove", path: path) }
        if isDirectory { directories.changed(); directories.forget(path) }
    }

    /// ``FileSystem`` requirement, through POSIX calls: one `renameat` in the shared parent
    /// for a temp file renamed over its target.
    public func rename(_ from: String, to: String) throws(FileSystemError) {
        defer { directories.changed() }   // it may have been a directory (or replaced one)
        let fromParent = Self.parentPart(from), toParent = Self.parentPart(to)
        if fromParent.elementsEqual(toParent) {
            // At the top level both are absolute paths (see at(_:op:_:)); else names in the shared parent.
            let name = toParent.isEmpty ? full(to) : String(Substring(to.utf8[to.utf8.index(after: toParent.endIndex)...]))
            try check(from, op: "rename") { dir, fromName in
                name.withCString { renameat(dir, fromName, dir, $0) }
            }
        } else {
            try checkParents(from, op: "rename")
            try checkParents(to, op: "rename")
            guard Glibc.rename(full(from), full(to)) == 0 else { throw fail("rename", from) }
        }
    }

    /// ``FileSystem`` requirement, through POSIX calls: for a temp file renamed to its target
    /// in the same directory, one `renameat2(RENAME_NOREPLACE)` and one `fstatat` in the shared
    /// parent (the parent checked once). A file system without the flag (it fails with EINVAL)
    /// is asked with `fstatat` first, as the default does.
    public func renameNoReplace(_ from: String, to: String) throws(FileSystemError) -> FileInfo? {
        let fromParent = Self.parentPart(from), toParent = Self.parentPart(to)
        guard fromParent.elementsEqual(toParent) else { return try renameLookingFirst(from, to: to) }
        let name = toParent.isEmpty ? full(to) : String(Substring(to.utf8[to.utf8.index(after: toParent.endIndex)...]))
        var st = stat()
        // > 0: the rename failed with that errno; < 0: the lstat after it did.
        let failure: Int32 = try at(from, op: "rename", trusting: true) { dir, fromName in
            name.withCString { toName in
                var rc = cplatform_rename_noreplace(dir, fromName, dir, toName)
                if rc == -EINVAL {
                    if fstatat(dir, toName, &st, AT_SYMLINK_NOFOLLOW) == 0 { return EEXIST }
                    guard errno == ENOENT else { return errno }
                    rc = renameat(dir, fromName, dir, toName) == 0 ? 0 : -errno
                }
                guard rc == 0 else { return -rc }
                return fstatat(dir, toName, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno
            }
        }
        if failure == -ENOENT { return nil }
        if failure > 0 { throw FileSystemError(code: failure, operation: "rename", path: failure == EEXIST ? to : from) }
        if failure < 0 { throw FileSystemError(code: -failure, operation: "lstat", path: to) }
        if st.st_mode & S_IFMT == S_IFDIR { directories.changed() }
        // What is there now is the renamed file (a symlink only if replaced meanwhile: its target is not read).
        return Self.info(st, symlinkTarget: st.st_mode & S_IFMT == S_IFLNK ? "" : nil)
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func makeSymlink(_ path: String, target: String) throws(FileSystemError) {
        try check(path, op: "symlink") { dir, name in symlinkat(target, dir, name) }
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError) {
        try check(path, op: "chmod") { dir, name in fchmodat(dir, name, mode_t(permissions & 0o7777), 0) }
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func setModificationTime(_ path: String, _ nanoseconds: Int64) throws(FileSystemError) {
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2 /* UTIME_OMIT */),
                     timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))]
        try check(path, op: "utimensat") { dir, name in utimensat(dir, name, &times, AT_SYMLINK_NOFOLLOW) }
    }

    /// ``FileSystem`` requirement, through POSIX calls (the file is opened read-only: fsync
    /// flushes the file whichever descriptor asks). Safe to call from any thread.
    public func syncFile(_ path: String) throws(FileSystemError) {
        let fd = try openFile(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, op: "open")
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync", path) }
    }

    /// ``FileSystem`` requirement, through POSIX calls.
    public func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, op: "open-dir")
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync-dir", path) }
    }

    // MARK: Calls relative to the parent directory

    /// Runs `call` with the parent directory of `path` and its last component: a descriptor
    /// from ``directories`` (reached without symlinks) for a nested path, or the current
    /// directory and the absolute path for a top-level one (the root has no parent to check).
    /// A call that can neither replace nor remove anything (`trusting`: an open to read, a temp
    /// file's create, a no-replace rename) may use a directory checked a moment ago without
    /// checking it again (see ``DirectoryHandles``).
    private func at<T>(_ path: String, op: String, trusting: Bool = false,
                       _ call: (Int32, UnsafePointer<CChar>) -> T) throws(FileSystemError) -> T {
        let u = path.utf8
        guard let slash = u.lastIndex(of: UInt8(ascii: "/")) else { return full(path).withCString { call(AT_FDCWD, $0) } }
        let name = String(Substring(u[u.index(after: slash)...]))
        return try directories.withDirectory(Substring(u[..<slash]), op: op, path: path, trustingRecent: trusting) { dir in
            name.withCString { call(dir, $0) }
        }
    }

    /// ``at(_:op:_:)`` for a call returning 0 or -1 with errno.
    private func check(_ path: String, op: String, _ call: (Int32, UnsafePointer<CChar>) -> Int32) throws(FileSystemError) {
        let failure = try at(path, op: op) { dir, name in call(dir, name) == 0 ? 0 : errno }
        if failure != 0 { throw FileSystemError(code: failure, operation: op, path: path) }
    }

    /// `openat` of `path` in its parent; the descriptor, or a thrown error.
    private func openFile(_ path: String, _ flags: Int32, mode: UInt32 = 0, op: String, trusting: Bool = false) throws(FileSystemError) -> Int32 {
        let fd = try at(path, op: op, trusting: trusting) { dir, name in
            let fd = openat(dir, name, flags, mode_t(mode & 0o7777))
            return fd >= 0 ? fd : -errno
        }
        guard fd >= 0 else { throw FileSystemError(code: -fd, operation: op, path: path) }
        return fd
    }
}
