import SyncProtocol

/// What the index remembers about a local entry from the last scan (to skip rehashing it).
public struct LocalFileState: Hashable, Sendable {
    /// Entry kind.
    public var kind: FileKind
    /// Size in bytes.
    public var size: UInt64
    /// Permission bits.
    public var permissions: UInt32
    /// Modification time (ns).
    public var mtimeNanoseconds: Int64
    /// Status-change time (ns).
    public var ctimeNanoseconds: Int64
    /// Inode number.
    public var inode: UInt64
    /// Symlink target.
    public var symlinkTarget: String

    /// A remembered state.
    public init(kind: FileKind, size: UInt64, permissions: UInt32, mtimeNanoseconds: Int64, ctimeNanoseconds: Int64,
                inode: UInt64, symlinkTarget: String = "") {
        self.kind = kind; self.size = size; self.permissions = permissions; self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeNanoseconds = ctimeNanoseconds; self.inode = inode; self.symlinkTarget = symlinkTarget
    }

    /// The state `lstat` describes.
    public init?(_ info: FileInfo) {
        guard let kind = info.kind else { return nil }
        self.init(kind: kind, size: info.size, permissions: info.permissions, mtimeNanoseconds: info.mtimeNanoseconds,
                  ctimeNanoseconds: info.ctimeNanoseconds, inode: info.inode, symlinkTarget: info.symlinkTarget ?? "")
    }
}

/// One new or changed entry found by a scan.
public struct ScannedEntry: Sendable, Equatable {
    /// Path relative to the folder root.
    public var path: SyncPath
    /// What `lstat` said.
    public var state: LocalFileState
    /// The content's chunks; nil when only metadata changed (content same as before).
    public var chunks: [ChunkInfo]?
}

/// The outcome of one scan.
public struct ScanResult: Sendable {
    /// New entries and entries whose metadata changed.
    public var changed: [ScannedEntry] = []
    /// Known paths that are no longer on disk.
    public var missing: [SyncPath] = []
    /// Entries found unchanged (not rehashed).
    public var unchanged = 0
    /// Bytes read and hashed.
    public var hashedBytes: UInt64 = 0
    /// Names skipped because they break the path policy (they are never synced).
    public var invalidNames: [String] = []
    /// Entries that could not be read.
    public var errors: [FileSystemError] = []
    /// PeerSync temp files found (left by an interrupted pull).
    public var tempFiles: [String] = []
    /// An empty result.
    public init() {}
}

/// What a streaming scan reports, entry by entry.
public enum ScanItem: Sendable, Equatable {
    /// A new entry, or one whose metadata or content changed.
    case changed(ScannedEntry)
    /// A known path that is no longer on disk.
    case missing(SyncPath)
}

/// Walks a folder, honours its ignore rules, skips PeerSync's own names, and hashes only
/// entries whose size, mtime, inode, ctime, mode or kind changed since the state it is given.
///
/// Memory stays bounded whatever the folder size: entries are reported through a visitor, files
/// to hash are gathered in batches of at most ``hashBatchFiles`` files or ``hashBatchBytes``
/// bytes, and known paths are checked one by one as the caller streams them. When the file
/// system allows concurrent reads, each batch is hashed on ``hashThreads`` threads.
public struct Scanner {
    /// The folder.
    public let fs: any FileSystem
    /// The chunker for file content.
    public let chunker: Chunker
    /// Threads hashing a batch (when the file system allows concurrent reads).
    public var hashThreads: Int
    /// Most files gathered before a batch is hashed.
    public var hashBatchFiles = 512
    /// Most bytes gathered before a batch is hashed.
    public var hashBatchBytes: UInt64 = 256 << 20
    /// Files of at least this size are hashed after the walk (see ``ScanCursor``).
    public var deferredFileSize: UInt64 = 1 << 20
    /// Path of the unsynced local ignore overlay.
    public static let overlayPath = PathPolicy.stateDirectoryName + "/ignore"

    /// A scanner over `fs`, hashing on `hashThreads` threads (default: one per core).
    public init(fs: any FileSystem, chunker: Chunker = .standard, hashThreads: Int? = nil) {
        self.fs = fs; self.chunker = chunker
        self.hashThreads = max(1, hashThreads ?? ParallelHasher.coreCount)
    }

    /// The folder's current ignore rules (`.syncignore` plus the local overlay).
    public func loadRules() -> IgnoreRules {
        let text = (try? fs.readAll(IgnoreRules.fileName)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let overlay = (try? fs.readAll(Self.overlayPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return IgnoreRules(text: text, overlay: overlay)
    }

    /// Scans the whole folder and collects what changed in the result.
    /// - Parameters:
    ///   - known: what the index remembers for a path (nil when the path is new to it).
    ///   - knownPaths: every path the index holds as present, to report which went missing.
    public func scan(known: (SyncPath) -> LocalFileState?, knownPaths: some Sequence<SyncPath>) -> ScanResult {
        var changed: [ScannedEntry] = []
        var missing: [SyncPath] = []
        var result = scan(known: known, knownPaths: knownPaths) { item in
            switch item {
            case .changed(let e): changed.append(e)
            case .missing(let p): missing.append(p)
            }
        }
        result.changed = changed
        result.missing = missing.sorted()
        return result
    }

    /// Scans the whole folder, reporting each changed entry (in walk order, large files last) and
    /// then each missing known path (in `knownPaths` order) to `visit`; the result's `changed` and
    /// `missing` stay empty. (A ``ScanCursor`` takes the same scan a batch at a time.)
    public func scan(known: (SyncPath) -> LocalFileState?, knownPaths: some Sequence<SyncPath>,
                     visit: (ScanItem) -> Void) -> ScanResult {
        var cursor = ScanCursor(scanner: self)
        while let batch = cursor.nextBatch(maxFiles: hashBatchFiles, maxBytes: hashBatchBytes, known: known) {
            for e in batch { visit(.changed(e)) }
        }
        for p in knownPaths where cursor.isMissing(p) { visit(.missing(p)) }
        return cursor.result
    }

    /// True when a known path is gone from disk (or is no longer something we sync), and not ignored.
    func isMissing(_ p: SyncPath, rules: IgnoreRules) -> Bool {
        // An entry that became ignored is not reported missing; its record stays as it was.
        if rules.isIgnored(p.string, isDirectory: false) || rules.isIgnored(p.string, isDirectory: true) { return false }
        if p.components.dropLast().indices.contains(where: { i in
            rules.isIgnored(p.components[...i].joined(separator: "/"), isDirectory: true)
        }) { return false }
        do {
            guard let info = try fs.info(p.string) else { return true }
            return info.kind == nil
        } catch {
            // Reached through a symlink or a non-directory: no longer in the tree. Other errors
            // (permissions, I/O) must not turn into deletions that would spread to peers.
            return error.code == FileSystemError.loop || error.code == FileSystemError.notDirectory
        }
    }
}
