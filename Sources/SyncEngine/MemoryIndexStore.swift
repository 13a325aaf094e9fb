import SyncFS
import SyncProtocol

/// An ``IndexStore`` in memory, which outlives an engine: tests "restart" an engine on it.
///
/// It answers the same paged queries as the SQLite store (by sorting on demand), so engines
/// under test exercise the same paging code paths as in production.
public final class MemoryIndexStore: IndexStore {
    struct Folder {
        var indexID: UInt64
        var local: [SyncPath: LocalEntry] = [:]
        var remote: [String: [SyncPath: FileRecord]] = [:]
        var progress: [String: RemoteProgress] = [:]
        var stamps: [SyncPath: Int64] = [:]
    }

    private var folders: [String: Folder] = [:]
    /// Number of committed batches (tests count commits).
    public private(set) var commits = 0
    /// Number of ``deletionCandidates(folderID:before:limit:)`` calls.
    public private(set) var deletionCandidateReads = 0
    /// Called before each commit; a test may throw to simulate a crash before the commit.
    public var faultHook: (() throws -> Void)?

    /// An empty store.
    public init() {}

    private func folder(_ id: String, newIndexID: UInt64) -> Folder {
        if let f = folders[id] { return f }
        let f = Folder(indexID: newIndexID)
        folders[id] = f
        return f
    }

    /// ``IndexStore`` requirement, in memory.
    public func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder {
        let f = folder(folderID, newIndexID: newIndexID)
        return StoredFolder(indexID: f.indexID, local: f.local.values.sorted { $0.record.sequence < $1.record.sequence },
                            remote: f.remote.mapValues { $0.values.sorted { $0.sequence < $1.sequence } }, progress: f.progress)
    }

    /// ``IndexStore`` requirement, in memory.
    public func openFolder(_ folderID: String, newIndexID: UInt64) throws -> FolderHead {
        let f = folder(folderID, newIndexID: newIndexID)
        return FolderHead(indexID: f.indexID, maxSequence: f.local.values.map(\.record.sequence).max() ?? 0, progress: f.progress,
                          remoteCounts: f.remote.mapValues { index in
                              RemoteCount(records: index.count, chunks: index.values.reduce(0) { $0 + $1.chunks.count })
                          })
    }

    /// ``IndexStore`` requirement, in memory.
    public func commit(_ batch: IndexBatch) throws {
        try faultHook?()
        var f = folders[batch.folderID] ?? Folder(indexID: 0)
        for d in batch.droppedPeers { f.remote[d] = nil; f.progress[d] = nil }
        for e in batch.local {
            f.local[e.record.path] = e
            f.stamps[e.record.path] = nil
        }
        for (d, r) in batch.remote { f.remote[d, default: [:]][r.path] = r }
        for (d, p) in batch.progress { f.progress[d] = p }
        for path in batch.expiredTombstones {
            if f.local[path]?.record.deleted == true { f.local[path] = nil; f.stamps[path] = nil }
            for d in f.remote.keys where f.remote[d]?[path]?.deleted == true { f.remote[d]?[path] = nil }
        }
        folders[batch.folderID] = f
        commits += 1
    }

    /// ``IndexStore`` requirement, in memory.
    public func localEntry(folderID: String, path: SyncPath, withChunks: Bool) throws -> LocalEntry? { folders[folderID]?.local[path] }

    /// ``IndexStore`` requirement, in memory.
    public func remoteChunkCount(folderID: String, device: String, path: SyncPath) throws -> Int? {
        folders[folderID]?.remote[device]?[path].map(\.chunks.count)
    }

    /// ``IndexStore`` requirement, in memory.
    public func remoteRecords(folderID: String, path: SyncPath, withChunks: Bool) throws -> [String: FileRecord] {
        var out: [String: FileRecord] = [:]
        for (d, index) in folders[folderID]?.remote ?? [:] { if let r = index[path] { out[d] = r } }
        return out
    }

    /// ``IndexStore`` requirement, in memory.
    public func localRecords(folderID: String, afterSequence sequence: UInt64, limit: Int) throws -> [FileRecord] {
        let all = (folders[folderID]?.local.values ?? [:].values).map(\.record).filter { $0.sequence > sequence }
        return Array(all.sorted { $0.sequence < $1.sequence }.prefix(limit))
    }

    /// ``IndexStore`` requirement, in memory.
    public func localEntries(folderID: String, after path: SyncPath?, limit: Int, withChunks: Bool) throws -> [LocalEntry] {
        let keys = (folders[folderID]?.local.keys ?? [:].keys).filter { k in path.map { k > $0 } ?? true }.sorted().prefix(limit)
        return keys.compactMap { folders[folderID]?.local[$0] }
    }

    /// ``IndexStore`` requirement, in memory.
    public func needCandidates(folderID: String, after path: SyncPath?, descending: Bool, limit: Int, withChunks: Bool) throws -> [NeedCandidate] {
        guard let f = folders[folderID] else { return [] }
        var paths = Set<SyncPath>()
        for index in f.remote.values {
            for (p, r) in index where f.local[p]?.record.version != r.version && !(f.local[p] == nil && r.deleted) { paths.insert(p) }
        }
        let ordered = descending
            ? paths.filter { k in path.map { k < $0 } ?? true }.sorted(by: >)
            : paths.filter { k in path.map { k > $0 } ?? true }.sorted()
        return ordered.prefix(limit).map { p in
            NeedCandidate(path: p, local: f.local[p], remote: f.remote.compactMapValues { $0[p] })
        }
    }

    /// ``IndexStore`` requirement, in memory: only the peers' tombstones are looked at.
    public func deletionCandidates(folderID: String, before path: SyncPath?, limit: Int) throws -> [NeedCandidate] {
        deletionCandidateReads += 1
        guard let f = folders[folderID] else { return [] }
        var paths = Set<SyncPath>()
        for index in f.remote.values {
            for (p, r) in index where r.deleted && path.map({ p < $0 }) ?? true {
                if let l = f.local[p]?.record, !l.deleted, l.version != r.version { paths.insert(p) }
            }
        }
        return paths.sorted(by: >).prefix(limit).map { p in
            NeedCandidate(path: p, local: f.local[p], remote: f.remote.compactMapValues { $0[p] })
        }
    }

    /// ``IndexStore`` requirement.
    public func chunkList(folderID: String, contentHash: ContentHash) throws -> [ChunkInfo]? {
        guard let f = folders[folderID] else { return nil }
        let live = { (r: FileRecord) in r.kind == .file && !r.deleted && r.contentHash == contentHash }
        if let e = f.local.values.first(where: { live($0.record) }) { return e.record.chunks }
        for index in f.remote.values { if let r = index.values.first(where: live) { return r.chunks } }
        return nil
    }

    /// ``IndexStore`` requirement, in memory (a linear search: tests hold few files).
    public func localChunkLocation(folderID: String, hash: ContentHash) throws -> (path: SyncPath, offset: UInt64)? {
        guard let f = folders[folderID] else { return nil }
        for p in f.local.keys.sorted() {
            guard let e = f.local[p], !e.record.deleted, e.record.kind == .file else { continue }
            var off: UInt64 = 0
            for c in e.record.chunks {
                if c.hash == hash { return (p, off) }
                off += UInt64(c.size)
            }
        }
        return nil
    }

    /// ``IndexStore`` requirement, in memory.
    public func removeUnusedChunkLists(limit: Int) throws -> Int { 0 }   // lists live inside the records

    /// ``IndexStore`` requirement, in memory.
    public func localTotals(folderID: String) throws -> (files: Int, bytes: UInt64) {
        let files = (folders[folderID]?.local.values ?? [:].values).filter { !$0.record.deleted && $0.record.kind == .file && !$0.record.path.string.isEmpty }
        return (files.count, files.reduce(0) { $0 + $1.record.size })
    }

    /// ``IndexStore`` requirement, in memory.
    public func localCounts(folderID: String) throws -> (entries: Int, files: Int) {
        let live = (folders[folderID]?.local.values ?? [:].values).filter { !$0.record.deleted }
        return (live.count, live.filter { $0.record.kind == .file }.count)
    }

    /// ``IndexStore`` requirement, in memory.
    public func stampTombstones(folderID: String, wallClockNanoseconds: Int64) throws {
        guard var f = folders[folderID] else { return }
        for (p, e) in f.local where e.record.deleted && f.stamps[p] == nil { f.stamps[p] = wallClockNanoseconds }
        folders[folderID] = f
    }

    /// ``IndexStore`` requirement, in memory.
    public func expirableTombstones(folderID: String, maxSequence: UInt64, stampedBefore: Int64, after path: SyncPath?,
                                    limit: Int) throws -> [FileRecord] {
        guard let f = folders[folderID] else { return [] }
        let keys = f.local.keys.filter { p in
            guard let e = f.local[p], e.record.deleted, e.record.sequence <= maxSequence, let s = f.stamps[p], s <= stampedBefore else { return false }
            return path.map { p > $0 } ?? true
        }.sorted().prefix(limit)
        return keys.compactMap { f.local[$0]?.record }
    }
}
