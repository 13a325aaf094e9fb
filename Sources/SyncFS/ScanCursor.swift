import SyncProtocol

/// A scan of a folder taken one batch at a time, so the caller can commit and announce each
/// batch (and serve requests for it) before the rest of the folder is read.
///
/// The walk is depth first, in listing order, kept as an explicit stack of directory listings.
/// Files of at least ``Scanner/deferredFileSize`` bytes are not hashed where the walk finds
/// them: they wait until the walk is done, so the first batches (directories and small files)
/// are quick to hash and announce, and a peer starts pulling while the large files are read.
///
/// Every hashed file is looked at again after its read: a file whose size, times or inode moved
/// meanwhile was changed while it was read, and its chunks may mix old and new content. Such a
/// file is walked and hashed again later in the scan (at most ``maxRereads`` times; after that
/// it is left out of this scan with an error, and the watcher's next scan takes it).
public struct ScanCursor {
    /// The scanner whose settings (batch sizes, threads) this scan uses.
    public let scanner: Scanner
    /// The folder's ignore rules, read when the scan began.
    public let rules: IgnoreRules
    /// Directories being listed, innermost last: their path, names and the next name's index.
    private var stack: [(dir: String, names: [String], next: Int)] = []
    /// Large files the walk found changed, hashed once the walk is done, from `deferredNext` on
    /// (taken by index: removing from the front would move the rest for every file taken).
    private var deferred: [ScannedEntry] = []
    private var deferredNext = 0
    /// Files found changed while they were read, to be walked and hashed again.
    private var reread: [SyncPath] = []
    /// How often each path was found changed while it was read.
    private var rereads: [SyncPath: Int] = [:]
    /// Counts, errors, temp files and invalid names seen so far (its `changed` and `missing` stay empty).
    public private(set) var result = ScanResult()
    /// Most times one file is read again because it changed while it was read.
    public static let maxRereads = 2

    /// A scan of `scanner`'s folder, starting at its root.
    public init(scanner: Scanner) {
        self.scanner = scanner
        rules = scanner.loadRules()
        push("")
    }

    /// True when every entry has been walked and hashed.
    public var isDone: Bool { stack.isEmpty && deferredNext == deferred.count && reread.isEmpty }

    /// The next batch of new or changed entries, hashed: at most `maxFiles` files to hash or
    /// `maxBytes` bytes (but at least one file), in walk order with the large files last. Nil
    /// once the scan is done. A batch may be empty when only unchanged entries were walked or
    /// every file in it failed to read. (``walk(maxFiles:maxBytes:known:)``, ``ScanBatch/hash()``
    /// and ``finish(_:walkAgain:)`` in one call.)
    /// - Parameter known: what the index remembers for a path (nil when the path is new to it).
    public mutating func nextBatch(maxFiles: Int, maxBytes: UInt64, known: (SyncPath) -> LocalFileState?) -> [ScannedEntry]? {
        guard var batch = walk(maxFiles: maxFiles, maxBytes: maxBytes, known: known) else { return nil }
        batch.hash()
        return finish(batch)
    }

    /// Walks the next batch (bounded as for ``nextBatch(maxFiles:maxBytes:known:)``, and to
    /// about `maxEntries` entries looked at, unchanged ones included) without hashing it: the
    /// caller hashes it (``ScanBatch/hash()``, on any thread when ``ScanBatch/canHashElsewhere``)
    /// and hands it back to ``finish(_:walkAgain:)`` before walking the next one. Nil once the
    /// scan is done. (A rescan that finds little changed would otherwise look at the whole
    /// folder in one step: its owner takes nothing else meanwhile.)
    public mutating func walk(maxFiles: Int, maxBytes: UInt64, maxEntries: Int = .max, known: (SyncPath) -> LocalFileState?) -> ScanBatch? {
        guard !isDone else { return nil }
        var pending: [ScannedEntry] = []   // files to hash carry chunks == nil
        var toHash: [Int] = []
        var bytes: UInt64 = 0
        var budget = max(1, maxEntries)   // names the walk may still look at
        func take(_ entry: ScannedEntry, hash: Bool) {
            if hash { toHash.append(pending.count); bytes += entry.state.size }
            pending.append(entry)
        }
        func full() -> Bool { toHash.count >= maxFiles || bytes >= maxBytes || pending.count >= 4 * maxFiles }
        while !full(), budget > 0, let (entry, needsHash) = walkNext(known: known, budget: &budget) {
            if needsHash && entry.state.size >= scanner.deferredFileSize { deferred.append(entry) } else { take(entry, hash: needsHash) }
        }
        if stack.isEmpty {
            // The walk is done: files read again, then the large files, a batch's worth at a time.
            while !full(), let p = reread.popLast() {
                if let (entry, needsHash) = examine(p, known: known) { take(entry, hash: needsHash) }
            }
            while deferredNext < deferred.count, toHash.isEmpty || bytes + deferred[deferredNext].state.size <= maxBytes, toHash.count < maxFiles {
                take(deferred[deferredNext], hash: true)
                deferredNext += 1
            }
        }
        return ScanBatch(entries: pending, toHash: toHash, hashBytes: bytes, fs: scanner.fs, chunker: scanner.chunker,
                         threads: scanner.hashThreads)
    }

    /// The entries of a walked and hashed `batch`, with their chunks. Files that failed to
    /// read are left out (with their errors in ``result``); files that changed while they were
    /// read, and the paths in `walkAgain` (ones the caller changed on disk or in its index
    /// while the batch was hashed elsewhere), are left out and walked again later in the scan.
    public mutating func finish(_ batch: ScanBatch, walkAgain: Set<SyncPath> = []) -> [ScannedEntry] {
        var entries = batch.entries
        var dropped: Set<Int> = []
        for (k, i) in batch.toHash.enumerated() {
            let path = entries[i].path
            switch batch.outcomes?[k] ?? .failed(FileSystemError(code: FileSystemError.io, operation: "hash (not hashed)", path: path.string)) {
            case .hashed(let chunks):
                result.hashedBytes += chunks.reduce(UInt64(0)) { $0 + UInt64($1.size) }
                entries[i].chunks = chunks
            case .changed(let bytes):
                result.hashedBytes += bytes
                dropped.insert(i)
                let count = rereads[path, default: 0] + 1
                rereads[path] = count
                if count <= Self.maxRereads {
                    reread.append(path)
                } else {
                    result.errors.append(FileSystemError(code: FileSystemError.io, operation: "hash (the file kept changing while it was read)", path: path.string))
                }
            case .failed(let error):
                result.errors.append(error)
                dropped.insert(i)
            }
        }
        if !walkAgain.isEmpty {
            for (i, e) in entries.enumerated() where walkAgain.contains(e.path) && !dropped.contains(i) {
                dropped.insert(i)
                reread.append(e.path)
            }
        }
        if !dropped.isEmpty { entries = entries.enumerated().filter { !dropped.contains($0.offset) }.map(\.element) }
        return entries
    }

    /// True when a known path is gone from disk (or is no longer something we sync), and not ignored.
    public func isMissing(_ p: SyncPath) -> Bool { scanner.isMissing(p, rules: rules) }

    /// Lists `dir` onto the stack (a listing error is recorded and the directory skipped).
    private mutating func push(_ dir: String) {
        do { stack.append((dir, try scanner.fs.list(dir), 0)) } catch { result.errors.append(error) }
    }

    /// The next new or changed entry of the walk, and whether its content must be hashed; nil
    /// when the walk is done, or once it looked at `budget` names (each takes one from it).
    private mutating func walkNext(known: (SyncPath) -> LocalFileState?, budget: inout Int) -> (ScannedEntry, Bool)? {
        while budget > 0, let top = stack.last {
            guard top.next < top.names.count else { stack.removeLast(); continue }
            stack[stack.count - 1].next += 1
            budget -= 1
            let name = top.names[top.next]
            let rel = top.dir.isEmpty ? name : top.dir + "/" + name
            if name.utf8.starts(with: PathPolicy.tempPrefix.utf8) { result.tempFiles.append(rel); continue }
            if top.dir.isEmpty && name == PathPolicy.stateDirectoryName { continue }
            let path: SyncPath
            do { path = try PathPolicy.validate(rel) } catch { result.invalidNames.append(rel); continue }
            guard let found = examine(path, known: known, walking: true) else { continue }
            return found
        }
        return nil
    }

    /// Looks at `path` on disk: the entry to record and whether to hash it, or nil when it is
    /// unchanged, ignored, gone or unreadable. While `walking`, a directory is listed onto the stack.
    private mutating func examine(_ path: SyncPath, known: (SyncPath) -> LocalFileState?, walking: Bool = false) -> (ScannedEntry, Bool)? {
        let rel = path.string
        let info: FileInfo
        do {
            guard let i = try scanner.fs.info(rel) else { return nil }
            info = i
        } catch { result.errors.append(error); return nil }
        guard let state = LocalFileState(info) else { return nil }
        if rules.isIgnored(rel, isDirectory: state.kind == .directory) { return nil }
        if walking && state.kind == .directory { push(rel) }
        let before = known(path)
        guard before != state else { result.unchanged += 1; return nil }
        let contentSame = before.map {
            $0.kind == state.kind && $0.size == state.size && $0.mtimeNanoseconds == state.mtimeNanoseconds
                && $0.inode == state.inode && $0.symlinkTarget == state.symlinkTarget
        } ?? false
        if state.kind == .file && !contentSame { return (ScannedEntry(path: path, state: state, chunks: nil), true) }
        return (ScannedEntry(path: path, state: state, chunks: contentSame ? nil : []), false)
    }
}
