import SyncProtocol

/// A file system held in memory, for deterministic tests of the scanner, puller and writer.
///
/// Time is a counter that advances by one microsecond per mutation (so every change is visible
/// to the scanner) and can be moved by tests. Durability is modelled: file data becomes durable on
/// `sync()`, directory entries on ``syncDirectory(_:)``; ``crash()`` throws away everything that
/// was not made durable, as a power cut would. Symlinks are never followed.
public final class InMemoryFileSystem: FileSystem {
    final class Node {
        var kind: FileKind
        var data: [UInt8] = []
        var durableData: [UInt8] = []
        var permissions: UInt32
        var mtime: Int64
        var ctime: Int64
        let inode: UInt64
        var target: String = ""
        var children: [SyncPath: Node] = [:]
        var durableChildren: [SyncPath: Node] = [:]
        init(kind: FileKind, permissions: UInt32, time: Int64, inode: UInt64) {
            self.kind = kind; self.permissions = permissions; mtime = time; ctime = time; self.inode = inode
        }
    }

    private let root: Node
    private var nextInode: UInt64 = 2
    /// The current time in nanoseconds since the epoch; advances 1 µs per mutation.
    public var clock: Int64
    /// Called before every mutating operation with its name and path; a test may throw to inject a fault.
    public var faultHook: ((String, String) throws(FileSystemError) -> Void)?
    /// Called with its path when a file opened for reading is closed: a test may change the file
    /// there, as a writer racing the reader would.
    public var closeHook: ((String) -> Void)?
    /// The ranges writers were asked to start writeback of and to drop from the page cache, in
    /// order (a real file system's page cache is not modelled: tests check when each is asked).
    public internal(set) var cacheAdvice: [CacheAdvice] = []

    /// One ``WritebackStarting`` call on a writer of this file system.
    public struct CacheAdvice: Equatable, Sendable {
        /// `writeback` or `drop`.
        public var kind: String
        /// The file.
        public var path: String
        /// The range: `offset` and `count` (0: to the end).
        public var offset: UInt64, count: UInt64
    }

    /// An empty file system whose clock starts at `clock`.
    public init(clock: Int64 = 1_700_000_000_000_000_000) {
        self.clock = clock
        root = Node(kind: .directory, permissions: 0o755, time: clock, inode: 1)
    }

    private func tick() -> Int64 { clock += 1_000; return clock }

    private func lookup(_ path: String, op: String) throws(FileSystemError) -> Node? {
        if path.isEmpty { return root }
        var node = root
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            guard node.kind == .directory else {
                throw FileSystemError(code: node.kind == .symlink ? FileSystemError.loop : FileSystemError.notDirectory, operation: op, path: path)
            }
            guard let child = node.children[SyncPath(String(part))] else { return nil }
            if i < parts.count - 1 && child.kind == .symlink {
                throw FileSystemError(code: FileSystemError.loop, operation: op, path: path)
            }
            node = child
        }
        return node
    }

    private func parentAndName(_ path: String, op: String) throws(FileSystemError) -> (Node, SyncPath) {
        let sp = SyncPath(path)
        guard let parent = try lookup(sp.parent?.string ?? "", op: op), parent.kind == .directory else {
            throw FileSystemError(code: FileSystemError.noEntry, operation: op, path: path)
        }
        return (parent, SyncPath(sp.name))
    }

    func mutate(_ op: String, _ path: String) throws(FileSystemError) {
        try faultHook?(op, path)
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func info(_ path: String) throws(FileSystemError) -> FileInfo? {
        guard let n = try lookup(path, op: "lstat") else { return nil }
        return FileInfo(kind: n.kind, size: n.kind == .file ? UInt64(n.data.count) : (n.kind == .symlink ? UInt64(n.target.utf8.count) : 0),
                        permissions: n.permissions, mtimeNanoseconds: n.mtime, ctimeNanoseconds: n.ctime, inode: n.inode,
                        symlinkTarget: n.kind == .symlink ? n.target : nil)
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func list(_ path: String) throws(FileSystemError) -> [String] {
        guard let n = try lookup(path, op: "list"), n.kind == .directory else {
            throw FileSystemError(code: FileSystemError.notDirectory, operation: "list", path: path)
        }
        return n.children.keys.sorted().map(\.string)
    }

    struct Reader: ReadableFile {
        let node: Node
        let fs: InMemoryFileSystem
        let path: String
        func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
            guard offset < UInt64(node.data.count) else { return 0 }
            let start = Int(offset)
            let n = min(buffer.count, node.data.count - start)
            node.data.withUnsafeBytes { src in
                guard let base = src.baseAddress else { return }
                buffer.baseAddress?.copyMemory(from: base + start, byteCount: n)
            }
            return n
        }
        func close() { fs.closeHook?(path) }
        func currentState() -> LocalFileState? {
            LocalFileState(kind: .file, size: UInt64(node.data.count), permissions: node.permissions, mtimeNanoseconds: node.mtime,
                           ctimeNanoseconds: node.ctime, inode: node.inode)
        }
    }

    struct Writer: WritableFile {
        let node: Node
        let fs: InMemoryFileSystem
        let path: String
        func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FileSystemError) {
            try fs.mutate("write", path)
            let start = Int(offset)
            if node.data.count < start + bytes.count { node.data += [UInt8](repeating: 0, count: start + bytes.count - node.data.count) }
            node.data.replaceSubrange(start..<(start + bytes.count), with: bytes)
            node.mtime = fs.tick(); node.ctime = node.mtime
        }
        func truncate(to size: UInt64) throws(FileSystemError) {
            try fs.mutate("truncate", path)
            let n = Int(size)
            if node.data.count > n { node.data.removeSubrange(n...) } else { node.data += [UInt8](repeating: 0, count: n - node.data.count) }
            node.mtime = fs.tick(); node.ctime = node.mtime
        }
        func sync() throws(FileSystemError) {
            try fs.mutate("fsync", path)
            node.durableData = node.data
        }
        func setPermissions(_ permissions: UInt32) throws(FileSystemError) {
            try fs.mutate("chmod", path)
            node.permissions = permissions & 0o7777
            node.ctime = fs.tick()
        }
        func setModificationTime(_ nanoseconds: Int64) throws(FileSystemError) {
            try fs.mutate("utimens", path)
            node.mtime = nanoseconds
            node.ctime = fs.tick()
        }
        func close() {}
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func openRead(_ path: String) throws(FileSystemError) -> any ReadableFile {
        guard let n = try lookup(path, op: "open") else { throw FileSystemError(code: FileSystemError.noEntry, operation: "open", path: path) }
        guard n.kind == .file else { throw FileSystemError(code: FileSystemError.loop, operation: "open", path: path) }
        return Reader(node: n, fs: self, path: path)
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func openWrite(_ path: String, create: Bool, permissions: UInt32) throws(FileSystemError) -> any WritableFile {
        try mutate("open-write", path)
        let (parent, name) = try parentAndName(path, op: "open-write")
        if let n = parent.children[name] {
            guard n.kind == .file else { throw FileSystemError(code: FileSystemError.loop, operation: "open-write", path: path) }
            return Writer(node: n, fs: self, path: path)
        }
        guard create else { throw FileSystemError(code: FileSystemError.noEntry, operation: "open-write", path: path) }
        let n = Node(kind: .file, permissions: permissions & 0o7777, time: tick(), inode: nextInode)
        nextInode += 1
        parent.children[name] = n
        parent.mtime = clock
        return Writer(node: n, fs: self, path: path)
    }

    private func insert(_ path: String, kind: FileKind, permissions: UInt32, op: String) throws(FileSystemError) -> Node {
        try mutate(op, path)
        let (parent, name) = try parentAndName(path, op: op)
        guard parent.children[name] == nil else { throw FileSystemError(code: FileSystemError.exists, operation: op, path: path) }
        let n = Node(kind: kind, permissions: permissions & 0o7777, time: tick(), inode: nextInode)
        nextInode += 1
        parent.children[name] = n
        parent.mtime = clock
        return n
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError) {
        _ = try insert(path, kind: .directory, permissions: permissions, op: "mkdir")
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func makeSymlink(_ path: String, target: String) throws(FileSystemError) {
        let n = try insert(path, kind: .symlink, permissions: 0o777, op: "symlink")
        n.target = target
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func remove(_ path: String) throws(FileSystemError) {
        try mutate("remove", path)
        let (parent, name) = try parentAndName(path, op: "remove")
        guard let n = parent.children[name] else { throw FileSystemError(code: FileSystemError.noEntry, operation: "remove", path: path) }
        guard n.kind != .directory || n.children.isEmpty else {
            throw FileSystemError(code: FileSystemError.notEmpty, operation: "remove", path: path)
        }
        parent.children[name] = nil
        parent.mtime = tick()
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func rename(_ from: String, to: String) throws(FileSystemError) {
        try mutate("rename", from)
        let (sp, sn) = try parentAndName(from, op: "rename")
        let (dp, dn) = try parentAndName(to, op: "rename")
        guard let n = sp.children[sn] else { throw FileSystemError(code: FileSystemError.noEntry, operation: "rename", path: from) }
        if let existing = dp.children[dn], existing.kind == .directory, !existing.children.isEmpty {
            throw FileSystemError(code: FileSystemError.notEmpty, operation: "rename", path: to)
        }
        sp.children[sn] = nil
        dp.children[dn] = n
        n.ctime = tick()
        sp.mtime = clock; dp.mtime = clock
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError) {
        try mutate("chmod", path)
        guard let n = try lookup(path, op: "chmod") else { throw FileSystemError(code: FileSystemError.noEntry, operation: "chmod", path: path) }
        n.permissions = permissions & 0o7777
        n.ctime = tick()
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func setModificationTime(_ path: String, _ nanoseconds: Int64) throws(FileSystemError) {
        try mutate("utimens", path)
        guard let n = try lookup(path, op: "utimens") else { throw FileSystemError(code: FileSystemError.noEntry, operation: "utimens", path: path) }
        n.mtime = nanoseconds
        n.ctime = tick()
    }

    /// ``FileSystem`` requirement, on the in-memory tree: the file's data becomes durable.
    public func syncFile(_ path: String) throws(FileSystemError) {
        try mutate("fsync", path)
        guard let n = try lookup(path, op: "fsync"), n.kind == .file else {
            throw FileSystemError(code: FileSystemError.noEntry, operation: "fsync", path: path)
        }
        n.durableData = n.data
    }

    /// ``FileSystem`` requirement, on the in-memory tree.
    public func syncDirectory(_ path: String) throws(FileSystemError) {
        try mutate("fsync-dir", path)
        guard let n = try lookup(path, op: "fsync-dir"), n.kind == .directory else {
            throw FileSystemError(code: FileSystemError.notDirectory, operation: "fsync-dir", path: path)
        }
        n.durableChildren = n.children
    }

    /// Makes the whole current tree durable (test setup).
    public func syncEverything() {
        func walk(_ n: Node) {
            n.durableData = n.data
            n.durableChildren = n.children
            for c in n.children.values { walk(c) }
        }
        walk(root)
    }

    /// Simulates a power cut: every entry and byte that was not made durable is lost.
    public func crash() {
        func walk(_ n: Node) {
            n.data = n.durableData
            n.children = n.durableChildren
            for c in n.children.values { walk(c) }
        }
        walk(root)
        faultHook = nil
    }
}
