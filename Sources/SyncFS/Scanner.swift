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

    /// Scans the whole folder, reporting each changed entry (in walk order) and then each missing
    /// known path (in `knownPaths` order) to `visit`; the result's `changed` and `missing` stay empty.
    public func scan(known: (SyncPath) -> LocalFileState?, knownPaths: some Sequence<SyncPath>,
                     visit: (ScanItem) -> Void) -> ScanResult {
        let rules = loadRules()
        var result = ScanResult()
        var pending: [ScannedEntry] = []   // in walk order; files to hash carry chunks == nil and hash == true
        var toHash: [Int] = []
        var pendingBytes: UInt64 = 0
        var hashed = ScanResult()   // hashing outcomes, apart from `result`, which the walk holds while it runs
        func flush() {
            hash(&pending, indices: toHash, result: &hashed)
            for e in pending { visit(.changed(e)) }
            pending.removeAll(keepingCapacity: true)
            toHash.removeAll(keepingCapacity: true)
            pendingBytes = 0
        }
        walk("", rules: rules, known: known, result: &result) { entry, needsHash in
            if needsHash { toHash.append(pending.count); pendingBytes += entry.state.size }
            pending.append(entry)
            if toHash.count >= hashBatchFiles || pendingBytes >= hashBatchBytes || pending.count >= 4 * hashBatchFiles { flush() }
        }
        flush()
        result.hashedBytes += hashed.hashedBytes
        result.errors += hashed.errors
        for p in knownPaths where isMissing(p, rules: rules) { visit(.missing(p)) }
        return result
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

    /// Hashes the entries at `indices` of `entries` (in parallel when allowed); failures are
    /// removed from `entries` and recorded in `result`.
    private func hash(_ entries: inout [ScannedEntry], indices: [Int], result: inout ScanResult) {
        guard !indices.isEmpty else { return }
        let jobs = indices.map { (path: entries[$0].path.string, size: entries[$0].state.size) }
        let outcomes = ParallelHasher(fs: fs, chunker: chunker, threads: fs.supportsConcurrentReads ? hashThreads : 1).hash(jobs)
        var failed: Set<Int> = []
        for (k, i) in indices.enumerated() {
            switch outcomes[k] {
            case .success(let chunks):
                let total = chunks.reduce(UInt64(0)) { $0 + UInt64($1.size) }
                result.hashedBytes += total
                entries[i].chunks = chunks
                entries[i].state.size = total   // the bytes actually hashed (the file may be growing)
            case .failure(let error):
                result.errors.append(error)
                failed.insert(i)
            }
        }
        if !failed.isEmpty { entries = entries.enumerated().filter { !failed.contains($0.offset) }.map(\.element) }
    }

    private func walk(_ dir: String, rules: IgnoreRules, known: (SyncPath) -> LocalFileState?,
                      result: inout ScanResult, emit: (ScannedEntry, Bool) -> Void) {
        let names: [String]
        do { names = try fs.list(dir) } catch { result.errors.append(error); return }
        for name in names {
            let rel = dir.isEmpty ? name : dir + "/" + name
            if name.utf8.starts(with: PathPolicy.tempPrefix.utf8) { result.tempFiles.append(rel); continue }
            if dir.isEmpty && name == PathPolicy.stateDirectoryName { continue }
            let path: SyncPath
            do { path = try PathPolicy.validate(rel) } catch { result.invalidNames.append(rel); continue }
            let info: FileInfo
            do {
                guard let i = try fs.info(rel) else { continue }
                info = i
            } catch { result.errors.append(error); continue }
            guard let state = LocalFileState(info) else { continue }
            if rules.isIgnored(rel, isDirectory: state.kind == .directory) { continue }
            let before = known(path)
            if before != state {
                let contentSame = before.map {
                    $0.kind == state.kind && $0.size == state.size && $0.mtimeNanoseconds == state.mtimeNanoseconds
                        && $0.inode == state.inode && $0.symlinkTarget == state.symlinkTarget
                } ?? false
                if state.kind == .file && !contentSame {
                    emit(ScannedEntry(path: path, state: state, chunks: nil), true)
                } else {
                    emit(ScannedEntry(path: path, state: state, chunks: contentSame ? nil : []), false)
                }
            } else {
                result.unchanged += 1
            }
            if state.kind == .directory { walk(rel, rules: rules, known: known, result: &result, emit: emit) }
        }
    }
}
