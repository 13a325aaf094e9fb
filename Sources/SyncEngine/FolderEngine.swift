import SyncFS
import SyncProtocol
import WireKit

/// The sync engine of one folder: local index, peers' indexes, global state, puller.
///
/// Sans-IO towards the network and the clock: frames and `now` go in through
/// ``handle(bytes:from:now:)``, ``connect(peer:now:)``, ``scan(now:)`` (or a step at a time:
/// ``beginScan(now:)``, ``continueScan(now:)``) and ``handle(timeout:)``;
/// frames come out of ``pollTransmit()``, reports out of ``pollEvent()``, the next deadline out of
/// ``pollTimeout()``. File I/O goes through the ``FileSystem`` protocol, synchronously, and the
/// index through ``IndexStore``; the engine owns no thread, task, socket or clock. The one
/// exception to synchronous I/O is the fsync of a pulled file (milliseconds each on a real disk,
/// which made pulling disk-latency bound): with a ``FileSyncer`` it runs elsewhere and
/// ``collectSynced(now:)`` places the file once it is durable.
public final class FolderEngine {
    struct PeerState {
        var helloSent = false
        var helloReceived = false
        /// Our highest sequence the peer was sent (index pages go out above it).
        var sentSequence: UInt64 = 0
        /// An index run (pages, then IndexComplete) is due to this peer.
        var indexRunPending = false
        /// The next index page starts a full index (not an update).
        var fullIndexPending = false
        var indexComplete = false
        var queuedBytes = 0
        var outstandingBytes = 0
        /// Bytes handed out by ``pollTransmit()`` that the driver has not sent yet.
        var unsentBytes = 0
    }

    struct PendingRequest {
        var peer: String
        var path: SyncPath
        var pullID: UInt64
        var chunkIndex: Int
        /// Bytes asked for (the chunk's size less `skip`).
        var size: Int
        /// Leading bytes of the chunk taken from the file being replaced (see ``ChunkRequest/skip``).
        var skip: Int = 0
        var deadline: Instant
    }

    /// The folder's settings.
    public let config: FolderConfig
    let fs: any FileSystem
    let store: any IndexStore
    let writer: AtomicWriter
    let scanner: Scanner
    /// This device's 64-bit short ID (first 8 bytes of SHA-256 of its device ID), used in version vectors.
    public let shortID: UInt64
    /// Our index generation.
    public let indexID: UInt64

    var sequence: UInt64 = 0
    var progress: [String: RemoteProgress] = [:]
    var remoteCounts: [String: RemoteCount] = [:]
    var peers: [String: PeerState] = [:]
    var outbox: [SyncTransmit] = []
    var outboxHead = 0
    var events: [SyncEvent] = []
    var eventHead = 0
    var pulls: [SyncPath: ActivePull] = [:]
    /// Counts commits that changed any peer's records (a walk page read before the latest
    /// one reads its paths' peer records again).
    var remoteGeneration: UInt64 = 0
    /// Paths whose pull has chunks waiting to be requested, in the order they began waiting
    /// (``issueRequests(now:)`` visits only these, not every pull: it runs on every chunk
    /// response). An entry whose pull is gone or has nothing queued is dropped when visited.
    var waitingPulls: [SyncPath] = []
    /// The members of ``waitingPulls``.
    var waitingPullSet: Set<SyncPath> = []
    /// Pulls that need no chunk from a peer (everything was local or resumed), to be placed.
    var readyPulls: [SyncPath] = []
    /// Makes finished temp files durable off this engine's thread (nil: fsync inline).
    let syncer: (any FileSyncer)?
    /// Pulls whose temp file is complete and waits for ``syncer``, by temp path; they are
    /// placed by ``collectSynced(now:)``.
    var syncing: [String: ActivePull] = [:]
    /// The target paths of ``syncing`` (never pulled again while their flush runs).
    var syncingTargets: Set<SyncPath> = []
    /// Paths the index holds nothing at whose placement found something there (a file made
    /// locally, not scanned yet): ``startPull(_:holders:)`` looks at these before fetching
    /// again, where it otherwise leaves the check to the placing rename (see ``place(_:)``).
    var occupiedNewPaths: Set<SyncPath> = []
    /// Most paths ``occupiedNewPaths`` keeps (past it, it starts over: a path may then be
    /// fetched once more for nothing).
    static let occupiedNewPathsLimit = 4096
    /// Targets of ``syncing`` whose peers' records changed since their pull began.
    var syncingRecheck: Set<SyncPath> = []
    /// Pulls renamed into place whose directories the syncer is making durable
    /// (``FileSyncer/submitDirectories(_:)``): per directory, one group per submission, oldest
    /// first. A group goes into the index when its directory is reported durable.
    var placing: [String: [[LocalEntry]]] = [:]
    /// How many pulls ``placing`` holds.
    var placingCount = 0
    /// What `lstat` showed at each target of ``placing`` right after its rename.
    var placingStates: [SyncPath: LocalFileState] = [:]
    /// Results taken from ``syncer`` and not handled yet, oldest first: they are handled a
    /// slice at a time (``collectSyncedSlice(now:)``), in the order the syncer reported them.
    var syncedBacklog: [FileSyncResult] = []
    var requests: [UInt32: PendingRequest] = [:]
    var nextRequestID: UInt32 = 1
    var bytesInFlight = 0
    var receiveOnlyChanged: Set<SyncPath> = []
    var revertRequested: Set<SyncPath> = []
    /// True when the folder marker vanished; scanning and pulling stop until it is back.
    public internal(set) var markerMissing = false
    var lastMassDeletionReport = 0
    /// Deletion candidates read by deletion passes so far (tests: zero when nothing is deleted).
    public internal(set) var deletionCandidatesRead = 0
    /// Need candidates read by pull passes' walks so far (tests: bounded when passes restart often).
    public internal(set) var needCandidatesRead = 0
    var nextPullID: UInt64 = 0
    /// The pull pass in progress: the walk over need candidates, resumed as pulls complete.
    var walk: NeedWalk?
    /// True while ``continueWalk(now:)`` runs (it is not re-entered).
    var walking = false
    /// True when an index message since the last pull pass held a record that differs from
    /// ours: only then does the closing IndexComplete start a pass. A sender's peers announce
    /// back every file they pulled, and a full pass for each of those announcements made the
    /// sender's work grow with the square of the folder size.
    var indexBroughtNeeds = false
    /// Local entries (with a one-chunk list, without longer ones), as last read from or written
    /// to the store (a pull looks its path up several times). Only this engine writes the
    /// folder's local index, and every write passes through ``commit(_:)``, which updates the cache.
    var entryCache: [SyncPath: LocalEntry?] = [:]
    /// The entries ``entryCache`` held when it last filled up, still answered from (a chunk
    /// request for a file scanned a few thousand files ago then needs no read of the store).
    var previousEntries: [SyncPath: LocalEntry?] = [:]
    /// Counts the times ``entryCache`` lost entries (moved to ``previousEntries`` when full, or
    /// dropped after a failed commit). While it is unchanged, every local entry committed since
    /// a walk page was read is in the cache, so a path not in it still has the local entry the
    /// page holds.
    var entryCacheEpoch: UInt64 = 0
    /// The chunk hashes of the folder's local files, or may-be-so (see ``LocalChunkFilter``):
    /// nil until a pull first looks for a local chunk, and again once overfull (then rebuilt).
    var chunkFilter: LocalChunkFilter?
    /// The chunk list of the content last served (see ``serve(_:from:)``).
    var servedChunks: ServedChunks?
    /// Files being served kept open between their chunk requests (see ``ServeHandles``).
    var serveHandles = ServeHandles()
    /// Live local files and bytes (nil until first counted).
    var cachedLocalTotals: (files: Int, bytes: UInt64)?
    /// Entries kept in ``entryCache`` before they move to ``previousEntries``.
    static let entryCacheLimit = 4096
    /// While the first scan of a folder whose local index was empty when the engine opened it
    /// runs: every path given a local entry since (each passes through ``commit(_:)``). A path
    /// not in it has no entry, so that scan looks none of its new paths up in the store. Nil
    /// otherwise (after that scan, or beyond ``freshIndexPathsLimit`` paths).
    var freshIndexPaths: Set<SyncPath>?
    /// Most paths kept in ``freshIndexPaths``.
    static let freshIndexPathsLimit = 1 << 16
    /// The latest time given to the engine with an input.
    var clock = Instant(nanoseconds: 0)
    /// While chunks are being fetched, index updates are held until this time (or until
    /// ``announceBatch`` records are due) so a pull of many small files sends one update per
    /// batch instead of one per file. Nil when nothing is held.
    var announceHoldDeadline: Instant?
    /// Records due to a peer that make an update go out even while pulling.
    static let announceBatch: UInt64 = 256
    /// Longest an index update is held.
    static let announceHold: Duration = .milliseconds(500)
    /// The scan under way (see ``continueScan(now:)``), nil when none is.
    var scanSession: ScanSession?
    /// What the last finished scan did.
    public internal(set) var lastScanSummary = ScanSummary()
    /// Files hashed by a scan's first step; each step takes twice as many, up to
    /// ``Scanner/hashBatchFiles`` (a peer hears of the first files within milliseconds).
    static let firstScanStepFiles = 32
    /// Most bytes one scan step hashes (about 0.1 s on two cores: frames wait no longer).
    static let scanStepBytes: UInt64 = 64 << 20
    /// Most names one scan step looks at on disk (walking, or checking known paths for
    /// deletion), changed or not: the folder's frames wait behind the step.
    public static let scanStepEntries = 512
    /// The need summary from the last full count (nil when it must be recounted).
    var cachedNeedSummary: NeedSummary?
    /// Most index records the engine held in memory at once (pages read from the store plus
    /// records in queued index frames): bounded by the page size, whatever the folder size.
    public internal(set) var bufferedRecordsHighWater = 0
    /// Most files pulled at once (bounded by ``FolderConfig/maxActivePulls``).
    public internal(set) var activePullsHighWater = 0
    /// Paths whose pull failed for a local reason (disk full, permissions) since the last
    /// scheduling point; ``schedulePullRetries(now:)`` turns them into ``pullRetryAt`` times.
    var failedPulls: Set<SyncPath> = []
    /// When each failed path may be tried again (exponential backoff, see FolderEngine+Retry).
    var pullRetryAt: [SyncPath: Instant] = [:]
    /// The last backoff used per path; cleared when the path is finally placed.
    var pullRetryBackoff: [SyncPath: Duration] = [:]
    /// Files deleted by peers whose content stays reusable a while (see ``HeldContent``).
    var held = HeldContent()

    /// The short ID for a device ID.
    public static func shortID(of deviceID: String) -> UInt64 { SHA256Hasher.hash(Array(deviceID.utf8)).w0 }

    /// An engine for `config` on `fs`, resuming from `store` (or starting with `newIndexID` when the folder is new there).
    ///
    /// Only positions and counts are loaded: records stay in the store and are read in pages.
    /// An engine for `config`'s folder on `fs`, indexed in `store`. With a `syncer`, finished
    /// files are fsynced by it while pulls go on (see ``collectSynced(now:)``); without, inline.
    public init(config: FolderConfig, fs: any FileSystem, store: any IndexStore, newIndexID: UInt64, chunker: Chunker = .standard,
                syncer: (any FileSyncer)? = nil) throws {
        self.config = config
        self.syncer = syncer
        self.fs = fs
        self.store = store
        writer = AtomicWriter(fs: fs)
        var scanner = Scanner(fs: fs, chunker: chunker)
        scanner.deferredFileSize = config.scanLargeFileSize
        self.scanner = scanner
        shortID = Self.shortID(of: config.localDeviceID)
        let head = try store.openFolder(config.folderID, newIndexID: newIndexID)
        indexID = head.indexID
        sequence = head.maxSequence
        if head.maxSequence == 0, (try? store.localEntries(folderID: config.folderID, after: nil, limit: 1, withChunks: false))?.isEmpty == true {
            freshIndexPaths = []
        }
        progress = head.progress
        remoteCounts = head.remoteCounts
    }

    /// Notes that `count` records are held in memory now (for ``bufferedRecordsHighWater``).
    func noteBuffered(_ count: Int) { bufferedRecordsHighWater = max(bufferedRecordsHighWater, count) }

    /// Our stored entry of `path` (nil when unknown or unreadable: callers then act as for a new path, which never overwrites).
    func localEntry(_ path: SyncPath, withChunks: Bool = true) -> LocalEntry? {
        if let cached = entryCache[path] ?? previousEntries[path], !withChunks || Self.holdsChunks(cached) { return cached }
        if let fresh = freshIndexPaths, !fresh.contains(path) { return nil }
        do {
            let found = try store.localEntry(folderID: config.folderID, path: path, withChunks: withChunks)
            remember(path, found)
            return found
        } catch {
            return nil
        }
    }

    /// Keeps `entry` as what the store holds for `path`: with its chunk list when that is one
    /// chunk (most files; the scan's second look-up and the serving of a small file then need
    /// no read of the store), without it otherwise.
    func remember(_ path: SyncPath, _ entry: LocalEntry?) {
        if entryCache.count >= Self.entryCacheLimit {
            previousEntries = entryCache
            entryCache = Dictionary(minimumCapacity: Self.entryCacheLimit)
            entryCacheEpoch &+= 1
        }
        var e = entry
        if let chunks = e?.record.chunks, chunks.count > 1 { e?.record.chunks = [] }
        entryCache[path] = .some(e)
    }

    /// True when a cached entry is whole, chunk list included: none, not a live file, empty, or
    /// kept with its list (see ``remember(_:_:)``).
    static func holdsChunks(_ entry: LocalEntry?) -> Bool {
        guard let r = entry?.record else { return true }
        return r.kind != .file || r.deleted || r.size == 0 || !r.chunks.isEmpty
    }

    /// Every peer's record of `path`.
    func remoteRecords(_ path: SyncPath, withChunks: Bool = true) -> [String: FileRecord] {
        (try? store.remoteRecords(folderID: config.folderID, path: path, withChunks: withChunks)) ?? [:]
    }

    // MARK: Getters

    /// The local record of `path`.
    public func localRecord(_ path: SyncPath) -> FileRecord? { localEntry(path)?.record }

    /// The size of the local record of `path` (0 when unknown), without reading its chunk list.
    public func localRecordSize(_ path: SyncPath) -> UInt64 { localEntry(path, withChunks: false)?.record.size ?? 0 }

    /// Every local record (tombstones included), in path order. Loads the whole local index:
    /// for large folders prefer ``forEachLocalRecord(_:)``.
    public var localRecords: [FileRecord] {
        var out: [FileRecord] = []
        forEachLocalRecord { out.append($0) }
        return out
    }

    /// Visits every local record (tombstones included) in path order, one page in memory at a
    /// time (without chunk lists unless `withChunks`).
    public func forEachLocalRecord(withChunks: Bool = true, _ body: (FileRecord) -> Void) {
        var after: SyncPath?
        while let page = try? store.localEntries(folderID: config.folderID, after: after, limit: config.indexBatchRecords, withChunks: withChunks),
              !page.isEmpty {
            noteBuffered(page.count)
            for e in page { body(e.record) }
            after = page.last?.record.path
            if page.count < config.indexBatchRecords { break }
        }
    }

    /// The highest local sequence number.
    public var maxSequence: UInt64 { sequence }

    /// The winning record of `path` across all devices.
    public func globalRecord(_ path: SyncPath) -> FileRecord? { Self.winner(local: localEntry(path)?.record, remote: remoteRecords(path)) }

    /// The winner of our record and the peers' (peers in device order, so every call agrees).
    static func winner(local: FileRecord?, remote: [String: FileRecord]) -> FileRecord? {
        var all: [FileRecord] = []
        if let l = local { all.append(l) }
        for (_, r) in remote.sorted(by: { $0.key < $1.key }) { all.append(r) }
        return GlobalState.winner(all)
    }

    /// Paths whose local version differs from the global one (what this device still needs).
    /// Counted by walking the store in pages; the count is kept until the index changes.
    public func needCount() -> Int { needSummary().paths }

    /// How many paths, files and bytes this device still needs. Walks the need candidates
    /// without their chunk lists; the result is kept until the index changes.
    public func needSummary() -> NeedSummary {
        if let c = cachedNeedSummary { return c }
        var summary = NeedSummary()
        forEachNeed(withChunks: false) { n in
            summary.paths += 1
            if let g = n.global, !g.deleted, g.kind == .file { summary.files += 1; summary.bytes += g.size }
            if let l = n.local, !l.deleted, l.kind == .file, !l.path.string.isEmpty { summary.replacedFiles += 1; summary.replacedBytes += l.size }
        }
        cachedNeedSummary = summary
        return summary
    }

    /// True when anything at all is needed: stops at the first need (cheap when the answer is
    /// yes, one walk when it is no; the count is cached then).
    public func hasNeeds() -> Bool {
        if let c = cachedNeedSummary { return c.paths > 0 }
        if !pulls.isEmpty || !syncing.isEmpty || placingCount > 0 { return true }   // a file being fetched is needed (and the walk from the start would pass every synced path first)
        var found = false
        visitNeeds(withChunks: false, pageSize: 16) { _ in found = true; return false }
        if !found { cachedNeedSummary = NeedSummary() }
        return found
    }

    /// True while a scan is under way (``beginScan(now:)`` until ``continueScan(now:)`` returns false).
    public var isScanning: Bool { scanSession != nil }

    /// What the scan under way has recorded and hashed so far (nil when none is).
    public var scanProgress: ScanSummary? { scanSession?.summary }

    /// True while a pull pass runs or files are being fetched (the need count is moving).
    public var isPulling: Bool { walk != nil || !pulls.isEmpty || !syncing.isEmpty || placingCount > 0 }

    /// Live local files and their bytes, counted by the store.
    /// Counted by the store once, then kept up to date by every commit (status is polled often).
    public func localTotals() -> (files: Int, bytes: UInt64) {
        if let t = cachedLocalTotals { return t }
        guard let t = try? store.localTotals(folderID: config.folderID) else { return (0, 0) }
        cachedLocalTotals = t
        return t
    }

    /// What a local record adds to ``localTotals()``.
    static func totalsContribution(_ r: FileRecord?) -> (files: Int, bytes: Int64) {
        guard let r, !r.deleted, r.kind == .file, !r.path.string.isEmpty else { return (0, 0) }
        return (1, Int64(clamping: r.size))
    }

    /// The paths this device still needs, in path order (for status and diagnostics).
    public func neededPaths() -> [SyncPath] {
        var out: [SyncPath] = []
        forEachNeed(withChunks: false) { out.append($0.path) }
        return out
    }

    /// Chunk bytes requested and not yet answered.
    public var requestedBytesInFlight: Int { bytesInFlight }

    /// Paths with local changes in a receive-only folder.
    public var receiveOnlyChanges: [SyncPath] { receiveOnlyChanged.sorted() }

    // MARK: Peers

    /// A stream to `peer` opened: the engine queues its hello.
    public func connect(peer: String, now: Instant) {
        if peers[peer] == nil { peers[peer] = PeerState() }
        sendHello(to: peer)
    }

    /// The stream to `peer` closed: outstanding requests to it are asked elsewhere.
    public func disconnect(peer: String, now: Instant) {
        peers[peer] = nil
        for path in pulls.keys { pulls[path]?.excludedPeers.remove(peer) }
        for (id, r) in requests where r.peer == peer {
            requests[id] = nil
            bytesInFlight -= r.size
            requeue(r)
        }
        issueRequests(now: now)
    }

    func sendHello(to peer: String) {
        let p = progress[peer]
        let hello = Hello(deviceID: config.localDeviceID, deviceName: config.deviceName, folders: [
            .init(folderID: config.folderID, indexID: indexID, maxSequence: sequence,
                  peerIndexID: p?.indexID ?? 0, peerMaxSequence: p?.maxSequence ?? 0)])
        peers[peer]?.helloSent = true
        queue(.hello(hello), to: peer)
    }

    /// The driver reports how many bytes it took from ``pollTransmit()`` for `peer` and has not
    /// sent yet (its link is slower than the engine). Index pages wait while that is above
    /// ``FolderConfig/maxUnsentIndexBytes`` and chunk requests are dropped (the peer retries)
    /// while queued plus unsent bytes are above ``FolderConfig/maxQueuedBytesPerPeer``.
    public func setUnsentBytes(_ bytes: Int, peer: String) {
        peers[peer]?.unsentBytes = max(0, bytes)
    }

    func queue(_ frame: SyncFrame, to peer: String) {
        queue(encoded: frame.encode(), to: peer)
    }

    /// ``queue(_:to:)`` for a frame's bytes already encoded (a served chunk's response).
    func queue(encoded bytes: [UInt8], to peer: String) {
        peers[peer]?.queuedBytes += bytes.count
        outbox.append(SyncTransmit(peer: peer, bytes: bytes))
    }

    func emit(_ event: SyncEvent) { events.append(event) }

    // MARK: Input

    /// Handles one received frame's bytes from `peer` (its authenticated device ID): decodes
    /// and hashes them here (``prepare(_:)`` does that off this path where a driver can).
    public func handle(bytes: [UInt8], from peer: String, now: Instant) {
        handle(Self.prepare(bytes), from: peer, now: now)
    }

    /// Handles one decoded frame from `peer`.
    public func handle(frame: SyncFrame, from peer: String, now: Instant) {
        handle(frame: frame, chunkHash: nil, from: peer, now: now)
    }

    /// ``handle(frame:from:now:)`` with the SHA-256 of a chunk response's bytes when
    /// ``prepare(_:)`` computed it.
    func handle(frame: SyncFrame, chunkHash: ContentHash?, from peer: String, now: Instant) {
        clock = max(clock, now)
        guard peers[peer] != nil else { return }
        switch frame {
        case .hello(let hello): handleHello(hello, from: peer, now: now)
        case .index(let message): handleIndex(message, from: peer, now: now)
        case .indexComplete(let folder, _):
            guard folder == config.folderID else { return }
            peers[peer]?.indexComplete = true
            cachedNeedSummary = nil
            if indexBroughtNeeds || !failedPulls.isEmpty {
                indexBroughtNeeds = false
                pullPass(now: now)
            } else {
                issueRequests(now: now)   // a peer that can serve queued chunks may have announced them
            }
        case .request(let request): serve(request, from: peer)
        case .response(let response): handleResponse(response, chunkHash: chunkHash, from: peer, now: now)
        case .ping: break
        case .close: disconnect(peer: peer, now: now)
        }
    }

    func protocolError(peer: String, reason: String, now: Instant) {
        emit(.peerError(peer: peer, reason: reason))
        queue(.close(Close(reason: "protocol error")), to: peer)
        disconnect(peer: peer, now: now)
    }

    func handleHello(_ hello: Hello, from peer: String, now: Instant) {
        guard hello.deviceID == peer else {
            protocolError(peer: peer, reason: "hello names device \(hello.deviceID)", now: now)
            return
        }
        guard let folder = hello.folders.first(where: { $0.folderID == config.folderID }) else { return }
        if peers[peer]?.helloSent != true { sendHello(to: peer) }
        peers[peer]?.helloReceived = true
        var batch = IndexBatch(folderID: config.folderID)
        var p = progress[peer] ?? RemoteProgress(indexID: folder.indexID, maxSequence: 0)
        if progress[peer]?.indexID != folder.indexID {
            batch.droppedPeers = [peer]
            p = RemoteProgress(indexID: folder.indexID, maxSequence: 0)
        }
        // What the peer holds of our index: tombstones at or below it have reached the peer.
        p.acknowledgedSequence = folder.peerIndexID == indexID ? min(folder.peerMaxSequence, sequence) : 0
        batch.progress[peer] = p
        if commit(batch) {
            if !batch.droppedPeers.isEmpty { remoteCounts[peer] = RemoteCount(); cachedNeedSummary = nil }
            progress[peer] = p
        }
        let since = folder.peerIndexID == indexID ? min(folder.peerMaxSequence, sequence) : 0
        peers[peer]?.sentSequence = since
        peers[peer]?.fullIndexPending = since == 0
        peers[peer]?.indexRunPending = true
    }

    /// Queues the next index page (or the closing IndexComplete) of every peer with an index
    /// run due. Pages are read from the store only when the outbox is empty, so at most one
    /// page per peer is in memory, whatever the folder size.
    func refillIndexPages() {
        var held = false
        for peer in peers.keys.sorted() {
            guard let state = peers[peer], state.helloReceived, state.indexRunPending,
                  state.unsentBytes < config.maxUnsentIndexBytes else { continue }
            if !state.fullIndexPending && !requests.isEmpty && sequence - min(sequence, state.sentSequence) < Self.announceBatch {
                if announceHoldDeadline == nil { announceHoldDeadline = clock + Self.announceHold }
                if let d = announceHoldDeadline, clock < d { held = true; continue }
            }
            let limit = config.indexBatchRecords
            let page: [FileRecord]
            do { page = try store.localRecords(folderID: config.folderID, afterSequence: state.sentSequence, limit: limit) } catch {
                emit(.pullFailed(SyncPath(""), reason: "index read failed: \(error)"))
                peers[peer]?.indexRunPending = false
                continue
            }
            noteBuffered(page.count)
            if let last = page.last {
                queue(.index(IndexMessage(folderID: config.folderID, indexID: indexID, isUpdate: !state.fullIndexPending, records: page)), to: peer)
                peers[peer]?.sentSequence = last.sequence
                peers[peer]?.fullIndexPending = false
            }
            if page.count < limit {
                let sent = max(peers[peer]?.sentSequence ?? 0, sequence)
                peers[peer]?.sentSequence = sent
                peers[peer]?.indexRunPending = false
                queue(.indexComplete(folderID: config.folderID, sequence: sequence), to: peer)
            }
        }
        if !held { announceHoldDeadline = nil }
    }

    /// Schedules an index update for every ready peer that has not been sent our latest records.
    func announce() {
        for (peer, state) in peers where state.helloReceived && state.sentSequence < sequence { peers[peer]?.indexRunPending = true }
    }

    func handleIndex(_ message: IndexMessage, from peer: String, now: Instant) {
        guard message.folderID == config.folderID, peers[peer]?.helloReceived == true else { return }
        guard progress[peer]?.indexID == message.indexID else { return }
        noteBuffered(message.records.count)
        var counts = remoteCounts[peer] ?? RemoteCount()
        guard counts.records + message.records.count <= config.maxRemoteRecords else {
            protocolError(peer: peer, reason: "index larger than \(config.maxRemoteRecords) records", now: now)
            return
        }
        var replaced: [SyncPath: Int] = [:]   // chunk count of the record each path replaces (this message only)
        store.readTogether {
            for r in message.records {
                let old = replaced[r.path] ?? ((try? store.remoteChunkCount(folderID: config.folderID, device: peer, path: r.path)) ?? nil)
                if old == nil { counts.records += 1 }
                counts.chunks += r.chunks.count - (old ?? 0)
                replaced[r.path] = r.chunks.count
            }
        }
        guard counts.chunks <= config.maxRemoteChunks else {
            protocolError(peer: peer, reason: "index describes more than \(config.maxRemoteChunks) chunks", now: now)
            return
        }
        var batch = IndexBatch(folderID: config.folderID)
        var p = progress[peer] ?? RemoteProgress(indexID: message.indexID, maxSequence: 0)
        for r in message.records {
            batch.remote.append((peer, r))
            p.maxSequence = max(p.maxSequence, r.sequence)
        }
        batch.progress[peer] = p
        guard commit(batch) else { return }
        remoteCounts[peer] = counts
        progress[peer] = p
        cachedNeedSummary = nil
        if !indexBroughtNeeds {
            indexBroughtNeeds = store.readTogether {
                message.records.contains { localEntry($0.path, withChunks: false)?.record.version != $0.version }
            }
        }
    }

    /// Commits a batch; on failure reports it and returns false (memory state is then not updated).
    @discardableResult
    func commit(_ batch: IndexBatch) -> Bool {
        guard !batch.isEmpty else { return true }
        var delta: (files: Int, bytes: Int64) = (0, 0)
        if cachedLocalTotals != nil {
            var latest: [SyncPath: FileRecord?] = [:]   // a batch may name a path twice
            for e in batch.local {
                let old = latest[e.record.path] ?? localEntry(e.record.path, withChunks: false)?.record
                let (f0, b0) = Self.totalsContribution(old), (f1, b1) = Self.totalsContribution(e.record)
                delta.files += f1 - f0
                delta.bytes += b1 - b0
                latest[e.record.path] = .some(e.record)
            }
        }
        if !batch.remote.isEmpty || !batch.droppedPeers.isEmpty || !batch.expiredTombstones.isEmpty { remoteGeneration &+= 1 }
        // A scan batch being hashed elsewhere walked these paths before this change: it walks them again.
        if scanSession?.touched != nil, !batch.local.isEmpty { scanSession?.touched?.formUnion(batch.local.map(\.record.path)) }
        do {
            try store.commit(batch)
            if let t = cachedLocalTotals {
                cachedLocalTotals = (max(0, t.files + delta.files), UInt64(clamping: max(0, Int64(clamping: t.bytes) + delta.bytes)))
            }
            for e in batch.local { remember(e.record.path, e) }
            if !serveHandles.isEmpty { for e in batch.local { serveHandles.close(e.record.path) } }
            if freshIndexPaths != nil {
                for e in batch.local { freshIndexPaths?.insert(e.record.path) }
                if (freshIndexPaths?.count ?? 0) > Self.freshIndexPathsLimit { freshIndexPaths = nil }
            }
            if chunkFilter != nil { noteLocalChunks(batch.local) }
            for p in batch.expiredTombstones { remember(p, nil) }
            if !syncing.isEmpty || placingCount > 0 {
                // A flushing file whose global version may have moved is checked before it is placed.
                if !batch.droppedPeers.isEmpty { syncingRecheck.formUnion(syncingTargets) }
                for (_, r) in batch.remote where syncingTargets.contains(r.path) { syncingRecheck.insert(r.path) }
            }
            return true
        } catch {
            serveHandles.closeAll()
            for e in batch.local { entryCache[e.record.path] = nil; previousEntries[e.record.path] = nil }
            for p in batch.expiredTombstones { entryCache[p] = nil; previousEntries[p] = nil }
            entryCacheEpoch &+= 1
            freshIndexPaths = nil   // the store's state is not known for sure any more
            cachedLocalTotals = nil
            emit(.pullFailed(SyncPath(""), reason: "index commit failed: \(error)"))
            return false
        }
    }

    // MARK: Output

    /// The next frame to send, if any.
    public func pollTransmit() -> SyncTransmit? {
        if outboxHead >= outbox.count {
            if !outbox.isEmpty { outbox.removeAll(keepingCapacity: true); outboxHead = 0 }
            refillIndexPages()
        }
        guard outboxHead < outbox.count else { return nil }
        let t = outbox[outboxHead]
        outboxHead += 1
        peers[t.peer]?.queuedBytes -= t.bytes.count
        return t
    }

    /// The next event, if any.
    public func pollEvent() -> SyncEvent? {
        guard eventHead < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: true); eventHead = 0 }
            return nil
        }
        eventHead += 1
        return events[eventHead - 1]
    }

    /// When ``handle(timeout:)`` should next be called (the earliest request deadline, retry,
    /// held announcement, flush poll, idle served file to close, or held deleted file to remove).
    public func pollTimeout() -> Instant? {
        // While files are being flushed, a poll now and then collects them even if the
        // syncer's wake-up was missed.
        let flushPoll = !syncedBacklog.isEmpty ? clock : syncing.isEmpty && placingCount == 0 ? nil : clock + .milliseconds(100)
        return [requests.values.map(\.deadline).min(), pullRetryAt.values.min(), announceHoldDeadline, flushPoll,
                serveHandles.idleDeadline, held.nextExpiry].compactMap { $0 }.min()
    }

    /// Expires chunk requests whose deadline passed, and asks again elsewhere.
    public func handle(timeout now: Instant) {
        clock = max(clock, now)
        serveHandles.closeIdle(now: now)
        purgeHeld(now: now)
        for (id, r) in requests where r.deadline <= now {
            requests[id] = nil
            bytesInFlight -= r.size
            peers[r.peer]?.outstandingBytes -= r.size
            requeue(r)
        }
        if retryPullsDue(now: now) { pullPass(now: now) }
        collectSyncedSlice(now: now)
        issueRequests(now: now)
    }
}
