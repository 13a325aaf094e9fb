import SyncFS
import SyncProtocol

/// A scan under way in a ``FolderEngine``, taken a step at a time (see
/// ``FolderEngine/continueScan(now:)``): the walk's cursor, then the deletion check's position.
struct ScanSession {
    /// The walk and hashing of the folder.
    var cursor: ScanCursor
    /// Known paths still to check for deletion (nil while the walk runs).
    var missing: LocalPathPages?
    /// Local changes a receive-only folder keeps out of its index.
    var flagged: Set<SyncPath> = []
    /// What the scan has recorded so far.
    var summary = FolderEngine.ScanSummary()
    /// False once a commit failed: later pages are not committed, and no pull follows.
    var committed = true
    /// Steps taken (the first ones take few files, so a peer hears of some soon).
    var steps = 0
    /// Our sequence number when peers were last told of this scan's records.
    var announcedUpTo: UInt64
    /// Records of this scan announced so far.
    var announcedRecords: UInt64 = 0
    /// While a walked batch is hashed (``FolderEngine/walkScanStep(now:)``): the paths the
    /// engine committed meanwhile, which the batch saw before they changed. Nil otherwise.
    var touched: Set<SyncPath>?
    /// The placing states (``FolderEngine/placingStates``) of the hashed batch's paths when it was walked.
    var placingAtWalk: [SyncPath: LocalFileState] = [:]
}

/// Our live local paths, read from the store a page at a time (the scanner checks each for
/// deletion without the engine holding the folder's path list).
struct LocalPathPages: Sequence, IteratorProtocol {
    let engine: FolderEngine
    var page: [SyncPath] = []
    var index = 0
    var after: SyncPath?
    var done = false

    init(engine: FolderEngine) { self.engine = engine }

    mutating func next() -> SyncPath? {
        while index >= page.count {
            guard !done else { return nil }
            let limit = engine.config.indexBatchRecords
            let entries = (try? engine.store.localEntries(folderID: engine.config.folderID, after: after, limit: limit, withChunks: false)) ?? []
            engine.noteBuffered(entries.count)
            done = entries.count < limit
            after = entries.last?.record.path
            page = entries.filter { !$0.record.deleted }.map(\.record.path)
            index = 0
        }
        index += 1
        return page[index - 1]
    }
}
