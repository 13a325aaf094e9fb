import SyncFS
import SyncProtocol

/// One local entry as persisted: the record we announce and what the scanner saw on disk.
public struct LocalEntry: Hashable, Sendable {
    /// The announced record (its sequence is ours).
    public var record: FileRecord
    /// What lstat said when the record was made (nil for tombstones).
    public var state: LocalFileState?
    /// An entry.
    public init(record: FileRecord, state: LocalFileState?) { self.record = record; self.state = state }
}

/// How far a peer's index has been received.
public struct RemoteProgress: Hashable, Sendable {
    /// The peer's index generation.
    public var indexID: UInt64
    /// The highest sequence received from it.
    public var maxSequence: UInt64
    /// A position.
    public init(indexID: UInt64, maxSequence: UInt64) { self.indexID = indexID; self.maxSequence = maxSequence }
}

/// Everything an engine needs to resume a folder after a restart.
public struct StoredFolder: Sendable {
    /// Our index generation (random when the folder's index was created).
    public var indexID: UInt64
    /// Local entries.
    public var local: [LocalEntry]
    /// Each peer's records.
    public var remote: [String: [FileRecord]]
    /// Each peer's index position.
    public var progress: [String: RemoteProgress]
    /// A folder snapshot.
    public init(indexID: UInt64, local: [LocalEntry] = [], remote: [String: [FileRecord]] = [:], progress: [String: RemoteProgress] = [:]) {
        self.indexID = indexID; self.local = local; self.remote = remote; self.progress = progress
    }
}

/// Changes to commit in one transaction (after the file system is already durable).
public struct IndexBatch: Sendable {
    /// The folder.
    public var folderID: String
    /// Local entries to insert or replace.
    public var local: [LocalEntry] = []
    /// Peer records to insert or replace.
    public var remote: [(device: String, record: FileRecord)] = []
    /// New peer index positions.
    public var progress: [String: RemoteProgress] = [:]
    /// Peers whose records must be dropped first (their index generation changed).
    public var droppedPeers: [String] = []
    /// An empty batch.
    public init(folderID: String) { self.folderID = folderID }
    /// True when there is nothing to commit.
    public var isEmpty: Bool { local.isEmpty && remote.isEmpty && progress.isEmpty && droppedPeers.isEmpty }
}

/// Persistence for the engine's index. ``MemoryIndexStore`` serves tests; SyncStore's
/// `SQLiteIndexStore` (GRDB) serves the daemon. A commit is all-or-nothing.
public protocol IndexStore: AnyObject {
    /// Loads a folder, creating it with `newIndexID` when unknown.
    func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder
    /// Commits a batch atomically.
    func commit(_ batch: IndexBatch) throws
}

/// An ``IndexStore`` in memory, which outlives an engine: tests "restart" an engine on it.
public final class MemoryIndexStore: IndexStore {
    private var folders: [String: StoredFolder] = [:]
    /// Number of committed batches (tests count commits).
    public private(set) var commits = 0
    /// Called before each commit; a test may throw to simulate a crash before the commit.
    public var faultHook: (() throws -> Void)?

    /// An empty store.
    public init() {}

    /// ``IndexStore`` requirement, in memory.
    public func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder {
        if let f = folders[folderID] { return f }
        let f = StoredFolder(indexID: newIndexID)
        folders[folderID] = f
        return f
    }

    /// ``IndexStore`` requirement, in memory.
    public func commit(_ batch: IndexBatch) throws {
        try faultHook?()
        var f = folders[batch.folderID] ?? StoredFolder(indexID: 0)
        var local = Dictionary(uniqueKeysWithValues: f.local.map { ($0.record.path, $0) })
        for e in batch.local { local[e.record.path] = e }
        f.local = local.values.sorted { $0.record.sequence < $1.record.sequence }
        for d in batch.droppedPeers { f.remote[d] = nil; f.progress[d] = nil }
        var remote = f.remote.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.path, $0) }) }
        for (d, r) in batch.remote { remote[d, default: [:]][r.path] = r }
        f.remote = remote.mapValues { Array($0.values) }
        for (d, p) in batch.progress { f.progress[d] = p }
        folders[batch.folderID] = f
        commits += 1
    }
}
