#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Open descriptors of the directories below a ``LocalFileSystem`` root, by relative path, so
/// an operation on `a/b/name` is one `*at()` call on `name` in `a/b` instead of an `lstat` of
/// every parent (each walking the whole absolute path) and a call on the absolute path.
///
/// A directory is opened component by component from the root with `O_NOFOLLOW | O_DIRECTORY`,
/// so no symlink is passed on the way (a symlink fails with ELOOP, a file with ENOTDIR, as the
/// old per-parent `lstat` check did). Before each use, one `lstat` of the directory's absolute
/// path must still show the very directory held open (same device and inode; the open
/// descriptor keeps the inode from being reused): a directory deleted, renamed away or replaced
/// (by another directory or a symlink) since it was opened is opened again, so the cache never
/// makes a write land somewhere the path no longer names (this also covers the file system's
/// own renames and removals of directories; ``forget(_:)`` only closes a removed one early).
///
/// A call that can neither replace nor remove anything may skip that `lstat` for a directory
/// checked within the last ``trustWindow`` (50 ms by default; `trustingRecent`) when the file system itself
/// renamed or removed no directory since: opening a file to read its content (every such read
/// is checked afterwards, against a hash or the state a scan recorded), creating a temp file
/// (`O_EXCL`, or reopening one of PeerSync's own temp files) and a no-replace rename. Through a
/// directory someone renamed away in that window, such a call has the effect it would have had
/// just before that rename, and the watcher's rescan records the result where it is. Everything
/// that decides what to change (`lstat`, listings) and everything that can replace or remove
/// (renames over a file, removals, mode and time changes) checks every time. The check walks
/// the whole absolute path, and a sync opens, creates and renames files in the same few
/// hundred directories tens of thousands of times a second.
///
/// Each descriptor counts its users: one taken out of the table (replaced, evicted, forgotten)
/// is closed only when the last call using it is done, so the calls themselves run unlocked.
final class DirectoryHandles: Sendable {
    /// One open directory. `users` and `retired` are read and written only with
    /// ``DirectoryHandles/entries`` locked (hence the unchecked conformance); the rest is immutable.
    private final class Entry: @unchecked Sendable {
        /// `O_PATH` descriptor of the directory.
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        /// The directory's absolute path, NUL-terminated, for the validating `lstat`.
        let absolute: [CChar]
        /// Calls running with `fd` now.
        var users = 0
        /// Out of the table: `fd` is closed when the last user is done.
        var retired = false
        /// When the validating `lstat` last showed this directory (monotonic nanoseconds).
        let checkedAt = Atomic<Int64>(0)
        /// ``DirectoryHandles/generation`` as it was before that `lstat`.
        let checkedGeneration = Atomic<Int64>(-1)

        init(fd: Int32, device: UInt64, inode: UInt64, absolute: [CChar]) {
            self.fd = fd; self.device = device; self.inode = inode; self.absolute = absolute
        }

        /// Notes that the directory was shown to be the one held at `now`, with `generation` read before.
        func markChecked(at now: Int64, generation: Int64) {
            checkedAt.store(now, ordering: .relaxed)
            checkedGeneration.store(generation, ordering: .relaxed)
        }
    }

    private let root: String
    private let entries = Mutex<[Substring: Entry]>([:])

    /// Linux's O_PATH (Glibc exports it only under _GNU_SOURCE): a descriptor for `*at()` calls
    /// that needs no read permission on the directory.
    static let openPath: Int32 = 0o10000000

    /// How long a directory's last check lets such calls skip the next one (nanoseconds).
    let trustWindow: Int64

    /// Bumped by every rename and removal the file system makes: no trusting call skips a check across
    /// one of its own changes.
    private let generation = Atomic<Int64>(0)

    /// Notes a rename or removal by the file system itself (see ``generation``).
    func changed() { generation.add(1, ordering: .relaxed) }

    /// Now on the monotonic clock, in nanoseconds (a vDSO call, no system call).
    private static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Most directories kept open (a folder's share of the daemon's descriptors); when full, one
    /// (an arbitrary one) is closed for each new one.
    static let limit = 256

    /// Directory handles below `root` (an absolute path without a trailing `/`).
    init(root: String, trustWindow: Duration) {
        self.root = root
        let (seconds, attoseconds) = trustWindow.components
        self.trustWindow = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    deinit {
        entries.withLock { all in
            for e in all.values { Glibc.close(e.fd) }
            all.removeAll()
        }
    }

    /// Runs `body` with a descriptor of the directory `dir` (a non-empty relative path) that
    /// was reached without following a symlink and that `dir` still names. Errors name `path`
    /// and `op`. No lock is held while `body` or the validation runs (a create can wait on the
    /// disk), only while the descriptor is taken and given back. A call that can neither replace
    /// nor remove anything (`trustingRecent`) skips the check of a directory checked within
    /// ``trustWindow``.
    func withDirectory<T>(_ dir: Substring, op: String, path: String, trustingRecent: Bool = false,
                          _ body: (Int32) -> T) throws(FileSystemError) -> T {
        if let held = entries.withLock({ all -> Entry? in
            guard let e = all[dir] else { return nil }
            e.users += 1
            return e
        }) {
            let now = Self.monotonicNow(), current = generation.load(ordering: .relaxed)
            if trustingRecent && held.checkedGeneration.load(ordering: .relaxed) == current
                && now &- held.checkedAt.load(ordering: .relaxed) < trustWindow {
                defer { giveBack(held) }
                return body(held.fd)
            }
            var st = stat()
            if lstat(held.absolute, &st) == 0, UInt64(st.st_dev) == held.device, UInt64(st.st_ino) == held.inode {
                held.markChecked(at: now, generation: current)
                defer { giveBack(held) }
                return body(held.fd)
            }
            entries.withLock { all in
                if all[dir] === held { all[dir] = nil; held.retired = true }
            }
            giveBack(held)
        }
        let opened: Entry
        switch open(dir, op: op, path: path) {
        case .failure(let error): throw error
        case .success(let e): opened = e
        }
        entries.withLock { all in
            if let old = all.removeValue(forKey: dir) { retire(old) }
            if all.count >= Self.limit, let old = all.first {
                all[old.key] = nil
                retire(old.value)
            }
            opened.users = 1
            all[Substring(String(dir))] = opened
        }
        defer { giveBack(opened) }
        return body(opened.fd)
    }

    /// Ends one use of `e`, closing it if it left the table meanwhile and was the last use.
    private func giveBack(_ e: Entry) {
        entries.withLock { _ in
            e.users -= 1
            if e.retired && e.users == 0 { Glibc.close(e.fd) }
        }
    }

    /// Takes `e` out of use (the caller holds the lock and has removed it from the table).
    private func retire(_ e: Entry) {
        e.retired = true
        if e.users == 0 { Glibc.close(e.fd) }
    }

    /// Closes the descriptor of `dir` if one is held (the file system removed it: the
    /// descriptor would keep the deleted directory's inode alive). Only an early release: a
    /// held directory that its path no longer names is never used (see above).
    func forget(_ dir: String) {
        entries.withLock { all in
            if let e = all.removeValue(forKey: Substring(dir)) { retire(e) }
        }
    }

    /// Opens `dir` component by component without following symlinks.
    private func open(_ dir: Substring, op: String, path: String) -> Result<Entry, FileSystemError> {
        var fd = Glibc.open(root, Self.openPath | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileSystemError(code: errno, operation: op, path: path)) }
        for component in dir.split(separator: "/", omittingEmptySubsequences: true) {
            let next = String(component).withCString { openat(fd, $0, Self.openPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            if next < 0 {
                var code = errno
                if code == ENOTDIR {
                    // O_PATH | O_NOFOLLOW reports a symlink as "not a directory": name it as lstat did.
                    var st = stat()
                    if String(component).withCString({ fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0,
                       st.st_mode & S_IFMT == S_IFLNK { code = FileSystemError.loop }
                }
                Glibc.close(fd)
                return .failure(FileSystemError(code: code, operation: op, path: path))
            }
            Glibc.close(fd)
            fd = next
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = FileSystemError(code: errno, operation: op, path: path)
            Glibc.close(fd)
            return .failure(e)
        }
        let absolute = Array((root + "/" + dir).utf8CString)
        let entry = Entry(fd: fd, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), absolute: absolute)
        // Reached just now, without symlinks.
        entry.markChecked(at: Self.monotonicNow(), generation: generation.load(ordering: .relaxed))
        return .success(entry)
    }
}
