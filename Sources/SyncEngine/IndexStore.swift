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

/// How far a peer's index has been received, and how much of ours it acknowledged.
public struct RemoteProgress: Hashable, Sendable {
    /// The peer's index generation.
    public var indexID: UInt64
    /// The highest sequence received from it.
    public var maxSequence: UInt64
    /// The highest of *our* sequences the peer said (in its hello) it holds; tombstones at or
    /// below it have reached that peer.
    public var acknowledgedSequence: UInt64
    /// A position.
    public init(indexID: UInt64, maxSequence: UInt64, acknowledgedSequence: UInt64 = 0) {
        self.indexID = indexID; self.maxSequence = maxSequence; self.acknowledgedSequence = acknowledgedSequence
    }
}

/// Everything stored for a folder, loaded whole (tests and tools; the engine pages through the
/// store instead, see ``FolderHead``).
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

/// How many records and chunk entries the store holds for one peer (to enforce the engine's caps).
public struct RemoteCount: Hashable, Sendable {
    /// Records (tombstones included).
    public var records: Int
    /// Chunk entries over all live file records.
    public var chunks: Int
    /// A count.
    public init(records: Int = 0, chunks: Int = 0) { self.records = records; self.chunks = chunks }
}

/// What an engine loads when it opens a folder: positions and counts, never the records.
public struct FolderHead: Sendable {
    /// Our index generation.
    public var indexID: UInt64
    /// Our highest local sequence.
    public var maxSequence: UInt64
    /// Each peer's index position.
    public var progress: [String: RemoteProgress]
    /// Each peer's record and chunk counts.
    public var remoteCounts: [String: RemoteCount]
    /// A head.
    public init(indexID: UInt64, maxSequence: UInt64 = 0, progress: [String: RemoteProgress] = [:], remoteCounts: [String: RemoteCount] = [:]) {
        self.indexID = indexID; self.maxSequence = maxSequence; self.progress = progress; self.remoteCounts = remoteCounts
    }
}

/// A path where some peer's version differs from ours, with every device's record of it.
public struct NeedCandidate: Sendable {
    /// The path.
    public var path: SyncPath
    /// Our entry (nil when we never had the path).
    public var local: LocalEntry?
    /// Each peer's record of the path.
    public var remote: [String: FileRecord]
    /// A candidate.
    public init(path: SyncPath, local: LocalEntry?, remote: [String: FileRecord]) { self.path = path; self.local = local; self.remote = remote }
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
    /// Expired tombstones: the local record of each path and every peer's tombstone of it are removed.
    public var expiredTombstones: [SyncPath] = []
    /// An empty batch.
    public init(folderID: String) { self.folderID = folderID }
    /// True when there is nothing to commit.
    public var isEmpty: Bool { local.isEmpty && remote.isEmpty && progress.isEmpty && droppedPeers.isEmpty && expiredTombstones.isEmpty }
}

/// Persistence for the engine's index. ``MemoryIndexStore`` serves tests; SyncStore's
/// `SQLiteIndexStore` (GRDB) serves the daemon. A commit is all-or-nothing.
///
/// The engine never loads a folder's index whole: it opens the folder (``openFolder(_:newIndexID:)``),
/// looks paths up one at a time and walks the index in pages (`limit` records at most per call),
/// so its memory does not grow with the folder.
public protocol IndexStore: AnyObject {
    /// Loads a folder whole, creating it with `newIndexID` when unknown (tests and tools).
    func loadFolder(_ folderID: String, newIndexID: UInt64) throws -> StoredFolder
    /// Opens a folder, creating it with `newIndexID` when unknown: positions and counts only.
    func openFolder(_ folderID: String, newIndexID: UInt64) throws -> FolderHead
    /// Commits a batch atomically.
    func commit(_ batch: IndexBatch) throws
    /// Our entry for `path` (its chunk list may be left empty unless `withChunks`: a large
    /// file's list is hundreds of kilobytes, and most lookups need only the metadata).
    func localEntry(folderID: String, path: SyncPath, withChunks: Bool) throws -> LocalEntry?
    /// Every peer's record of `path`, by device (chunk lists as for ``localEntry(folderID:path:withChunks:)``).
    func remoteRecords(folderID: String, path: SyncPath, withChunks: Bool) throws -> [String: FileRecord]
    /// How many chunks `device`'s record of `path` lists (0 for anything but a live file),
    /// nil when the peer has no record of it.
    func remoteChunkCount(folderID: String, device: String, path: SyncPath) throws -> Int?
    /// Up to `limit` local records with a sequence above `sequence`, in sequence order.
    func localRecords(folderID: String, afterSequence sequence: UInt64, limit: Int) throws -> [FileRecord]
    /// Up to `limit` local entries with a path after `path` (all when nil), in path order
    /// (chunk lists may be left empty unless `withChunks`).
    func localEntries(folderID: String, after path: SyncPath?, limit: Int, withChunks: Bool) throws -> [LocalEntry]
    /// Up to `limit` paths where some peer's version differs from ours, after `path` in path
    /// order (before it in reverse path order when `descending`); a path we have no record of
    /// is left out when every peer's record of it is a tombstone (there is nothing to pull). Without `withChunks` the
    /// records' chunk lists may be left empty (counting and status need no chunks).
    func needCandidates(folderID: String, after path: SyncPath?, descending: Bool, limit: Int, withChunks: Bool) throws -> [NeedCandidate]
    /// Up to `limit` paths we hold a live record of and some peer holds a tombstone of another
    /// version (what a deletion pass may delete: a subset of ``needCandidates(folderID:after:descending:limit:withChunks:)``),
    /// before `path` in reverse path order (from the last when nil), with every device's records
    /// (chunk lists may be left empty). A folder without peer tombstones answers from an empty
    /// index range, whatever its size.
    func deletionCandidates(folderID: String, before path: SyncPath?, limit: Int) throws -> [NeedCandidate]
    /// Live local files (tombstones, directories and links not counted) and their bytes.
    func localTotals(folderID: String) throws -> (files: Int, bytes: UInt64)
    /// Deletes up to `limit` stored chunk lists no record refers to any more (a store that keeps
    /// lists inside its records has none); returns how many went.
    @discardableResult
    func removeUnusedChunkLists(limit: Int) throws -> Int
    /// The chunk list of the file content whose hash is `contentHash`, as some record of the
    /// folder names it; nil when no stored record names it any more.
    func chunkList(folderID: String, contentHash: ContentHash) throws -> [ChunkInfo]?
    /// A local file of the folder holding a chunk with `hash`, and the chunk's offset in it.
    func localChunkLocation(folderID: String, hash: ContentHash) throws -> (path: SyncPath, offset: UInt64)?
    /// Visits the hash of every chunk of the folder's live local files (what
    /// ``localChunkLocation(folderID:hash:)`` can find), in no particular order; a hash may come
    /// more than once.
    func forEachLocalChunkHash(folderID: String, _ body: (ContentHash) -> Void) throws
    /// How many live (not deleted) local entries there are, and how many of them are files.
    func localCounts(folderID: String) throws -> (entries: Int, files: Int)
    /// Stamps local tombstones that have no deletion time yet with `wallClockNanoseconds`.
    func stampTombstones(folderID: String, wallClockNanoseconds: Int64) throws
    /// Up to `limit` local tombstones after `path` in path order whose sequence is at most
    /// `maxSequence` and that were stamped at or before `stampedBefore`.
    func expirableTombstones(folderID: String, maxSequence: UInt64, stampedBefore: Int64, after path: SyncPath?, limit: Int) throws -> [FileRecord]
    /// Runs `body`, whose look-ups the store may answer in one read transaction (SQLite takes its
    /// locks and snapshot once for all of them, not once per statement). `body` only reads: it
    /// must not commit.
    func readTogether<T>(_ body: () -> T) -> T
}

extension IndexStore {
    /// ``readTogether(_:)`` for a store without transactions: runs `body`.
    public func readTogether<T>(_ body: () -> T) -> T { body() }

    /// ``forEachLocalChunkHash(folderID:_:)`` from the local entries, a page at a time.
    public func forEachLocalChunkHash(folderID: String, _ body: (ContentHash) -> Void) throws {
        var after: SyncPath?
        while true {
            let page = try localEntries(folderID: folderID, after: after, limit: 512, withChunks: true)
            for e in page where e.record.kind == .file && !e.record.deleted {
                for c in e.record.chunks { body(c.hash) }
            }
            guard page.count == 512, let last = page.last else { return }
            after = last.record.path
        }
    }

    /// ``localEntries(folderID:after:limit:withChunks:)`` with chunk lists.
    public func localEntries(folderID: String, after path: SyncPath?, limit: Int) throws -> [LocalEntry] {
        try localEntries(folderID: folderID, after: path, limit: limit, withChunks: true)
    }

    /// ``localEntry(folderID:path:withChunks:)`` with the chunk list.
    public func localEntry(folderID: String, path: SyncPath) throws -> LocalEntry? {
        try localEntry(folderID: folderID, path: path, withChunks: true)
    }

    /// ``remoteRecords(folderID:path:withChunks:)`` with the chunk lists.
    public func remoteRecords(folderID: String, path: SyncPath) throws -> [String: FileRecord] {
        try remoteRecords(folderID: folderID, path: path, withChunks: true)
    }

    /// ``needCandidates(folderID:after:descending:limit:withChunks:)`` with chunk lists.
    public func needCandidates(folderID: String, after path: SyncPath?, descending: Bool, limit: Int) throws -> [NeedCandidate] {
        try needCandidates(folderID: folderID, after: path, descending: descending, limit: limit, withChunks: true)
    }
}
