#if canImport(Glibc)
import Glibc
#endif
import SyncProtocol
import WireKit

/// Watches a folder tree with inotify and feeds a ``ChangeBatcher``.
///
/// The driver polls ``fileDescriptor`` for readability and calls ``readEvents(now:)``; the
/// watcher never blocks or sleeps. New directories are watched as they appear. When the
/// per-user watch limit is hit (`ENOSPC`, see `fs.inotify.max_user_watches`) or the kernel queue
/// overflows, ``limitWarning`` is set and the batcher asks for full rescans instead: sync keeps
/// working, only later. Names PeerSync owns (`.peersync`, temp files) are not reported.
public final class InotifyWatcher {
    /// The inotify descriptor (non-blocking), for the driver's poll loop.
    public let fileDescriptor: Int32
    /// Absolute folder root.
    public let root: String
    /// The batcher fed by this watcher.
    public var batcher: ChangeBatcher
    /// Set when watching is incomplete (limit reached); the daemon should log it once, clearly.
    public private(set) var limitWarning: String?
    private var watches: [Int32: String] = [:]

    private static let mask: UInt32 = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM
                                             | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)

    /// Starts watching `root` and every directory below it.
    public init(root: String, batcher: ChangeBatcher = ChangeBatcher()) throws(FileSystemError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw FileSystemError(code: errno, operation: "inotify_init1", path: root) }
        fileDescriptor = fd
        self.root = root
        self.batcher = batcher
        addTree("")
    }

    deinit { close(fileDescriptor) }

    /// Number of directories watched.
    public var watchCount: Int { watches.count }

    private func addTree(_ rel: String) {
        let full = rel.isEmpty ? root : root + "/" + rel
        let wd = inotify_add_watch(fileDescriptor, full, Self.mask)
        if wd < 0 {
            if errno == ENOSPC {
                limitWarning = "inotify watch limit reached at \(watches.count) directories "
                    + "(raise fs.inotify.max_user_watches); falling back to periodic full rescans"
                batcher.overflow()
            }
            return
        }
        watches[wd] = rel
        for name in Self.subdirectories(of: full) where !PathPolicy.isReserved(component: name) {
            addTree(rel.isEmpty ? name : rel + "/" + name)
        }
    }

    /// Names of the directories in the directory `full` (not symlinks to one), from the listing's
    /// entry types: no `lstat` per entry except where the file system gives no type.
    static func subdirectories(of full: String) -> [String] {
        let fd = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        guard let dir = fdopendir(fd) else { close(fd); return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            guard type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN) else { continue }
            guard let name = LocalFileSystem.name(of: entry) else { continue }
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFDIR else { continue }
            }
            names.append(name)
        }
        return names
    }

    /// Reads every queued kernel event into the batcher; returns how many were read.
    @discardableResult
    public func readEvents(now: Instant) -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, mask, nameLength) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameStart = offset + header
                let nameEnd = min(n, nameStart + nameLength)
                let name = String(decoding: buffer[nameStart..<nameEnd].prefix { $0 != 0 }, as: UTF8.self)
                offset = nameStart + nameLength
                count += 1
                handle(wd: wd, mask: mask, name: name, now: now)
            }
        }
        return count
    }

    private func handle(wd: Int32, mask: UInt32, name: String, now: Instant) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            limitWarning = "inotify event queue overflowed; rescanning the whole folder"
            batcher.overflow()
            return
        }
        if mask & UInt32(IN_IGNORED) != 0 { watches[wd] = nil; return }
        guard let dir = watches[wd], !name.isEmpty, !PathPolicy.isReserved(component: name) else { return }
        let rel = dir.isEmpty ? name : dir + "/" + name
        guard let path = try? PathPolicy.validate(rel) else { return }
        if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
            batcher.removed(path, now: now)
        } else {
            batcher.changed(path, now: now)
            if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { addTree(rel) }
        }
    }
}
