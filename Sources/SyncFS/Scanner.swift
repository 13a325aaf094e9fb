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

/// Walks a folder, honours its ignore rules, skips PeerSync's own names, and hashes only
/// entries whose size, mtime, inode, ctime, mode or kind changed since the state it is given.
public struct Scanner {
    /// The folder.
    public let fs: any FileSystem
    /// The chunker for file content.
    public let chunker: Chunker
    /// Path of the unsynced local ignore overlay.
    public static let overlayPath = PathPolicy.stateDirectoryName + "/ignore"

    /// A scanner over `fs`.
    public init(fs: any FileSystem, chunker: Chunker = .standard) {
        self.fs = fs; self.chunker = chunker
    }

    /// The folder's current ignore rules (`.syncignore` plus the local overlay).
    public func loadRules() -> IgnoreRules {
        let text = (try? fs.readAll(IgnoreRules.fileName)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let overlay = (try? fs.readAll(Self.overlayPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return IgnoreRules(text: text, overlay: overlay)
    }

    /// Scans the whole folder.
    /// - Parameters:
    ///   - known: what the index remembers for a path (nil when the path is new to it).
    ///   - knownPaths: every path the index holds as present, to report which went missing.
    public func scan(known: (SyncPath) -> LocalFileState?, knownPaths: some Sequence<SyncPath>) -> ScanResult {
        let rules = loadRules()
        var result = ScanResult()
        var seen = Set<SyncPath>()
        walk("", rules: rules, known: known, seen: &seen, result: &result)
        for p in knownPaths where !seen.contains(p) {
            // An entry that became ignored is not reported missing; its record stays as it was.
            if rules.isIgnored(p.string, isDirectory: false) || rules.isIgnored(p.string, isDirectory: true) { continue }
            if p.components.dropLast().indices.contains(where: { i in
                rules.isIgnored(p.components[...i].joined(separator: "/"), isDirectory: true)
            }) { continue }
            result.missing.append(p)
        }
        result.missing.sort()
        return result
    }

    private func walk(_ dir: String, rules: IgnoreRules, known: (SyncPath) -> LocalFileState?,
                      seen: inout Set<SyncPath>, result: inout ScanResult) {
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
            seen.insert(path)
            let before = known(path)
            if before != state {
                let contentSame = before.map {
                    $0.kind == state.kind && $0.size == state.size && $0.mtimeNanoseconds == state.mtimeNanoseconds
                        && $0.inode == state.inode && $0.symlinkTarget == state.symlinkTarget
                } ?? false
                if state.kind == .file && !contentSame {
                    do {
                        let f = try fs.openRead(rel)
                        defer { f.close() }
                        let chunks = try chunker.chunks(of: f, sizeHint: state.size)
                        let total = chunks.reduce(UInt64(0)) { $0 + UInt64($1.size) }
                        result.hashedBytes += total
                        var hashed = state
                        hashed.size = total   // the bytes actually hashed (the file may be growing)
                        result.changed.append(ScannedEntry(path: path, state: hashed, chunks: chunks))
                    } catch { result.errors.append(error) }
                } else {
                    result.changed.append(ScannedEntry(path: path, state: state, chunks: contentSame ? nil : []))
                }
            } else {
                result.unchanged += 1
            }
            if state.kind == .directory { walk(rel, rules: rules, known: known, seen: &seen, result: &result) }
        }
    }
}
