import SyncFS
import SyncProtocol
import WireKit

/// The sync engine of one folder: local index, peers' indexes, global state, puller.
///
/// Sans-IO towards the network and the clock: frames and `now` go in through
/// ``handle(bytes:from:now:)``, ``connect(peer:now:)``, ``scan(now:)`` and ``handle(timeout:)``;
/// frames come out of ``pollTransmit()``, reports out of ``pollEvent()``, the next deadline out of
/// ``pollTimeout()``. File I/O goes through the ``FileSystem`` protocol, synchronously, and the
/// index through ``IndexStore``; the engine owns no thread, task, socket or clock.
public final class FolderEngine {
    struct PeerState {
        var helloSent = false
        var helloReceived = false
        var sentSequence: UInt64 = 0
        var indexComplete = false
        var queuedBytes = 0
        var outstandingBytes = 0
    }

    struct PendingRequest {
        var peer: String
        var path: SyncPath
        var pullID: UInt64
        var chunkIndex: Int
        var size: Int
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

    var local: [SyncPath: LocalEntry] = [:]
    var sequence: UInt64 = 0
    var remote: [String: [SyncPath: FileRecord]] = [:]
    var progress: [String: RemoteProgress] = [:]
    var peers: [String: PeerState] = [:]
    var outbox: [SyncTransmit] = []
    var outboxHead = 0
    var events: [SyncEvent] = []
    var eventHead = 0
    var pulls: [SyncPath: ActivePull] = [:]
    var requests: [UInt32: PendingRequest] = [:]
    var nextRequestID: UInt32 = 1
    var bytesInFlight = 0
    var receiveOnlyChanged: Set<SyncPath> = []
    var revertRequested: Set<SyncPath> = []
    /// True when the folder marker vanished; scanning and pulling stop until it is back.
    public internal(set) var markerMissing = false
    var lastMassDeletionReport = 0
    var nextPullID: UInt64 = 0
    var remoteChunkCounts: [String: Int] = [:]
    var chunkSources: [ContentHash: (SyncPath, UInt64)]?
    /// Paths whose pull failed for a local reason (disk full, permissions) since the last
    /// scheduling point; ``schedulePullRetries(now:)`` turns them into ``pullRetryAt`` times.
    var failedPulls: Set<SyncPath> = []
    /// When each failed path may be tried again (exponential backoff, see FolderEngine+Retry).
    var pullRetryAt: [SyncPath: Instant] = [:]
    /// The last backoff used per path; cleared when the path is finally placed.
    var pullRetryBackoff: [SyncPath: Duration] = [:]

    /// The short ID for a device ID.
    public static func shortID(of deviceID: String) -> UInt64 { SHA256Hasher.hash(Array(deviceID.utf8)).w0 }

    /// An engine for `config` on `fs`, resuming from `store` (or starting with `newIndexID` when the folder is new there).
    public init(config: FolderConfig, fs: any FileSystem, store: any IndexStore, newIndexID: UInt64, chunker: Chunker = .standard) throws {
        self.config = config
        self.fs = fs
        self.store = store
        writer = AtomicWriter(fs: fs)
        scanner = Scanner(fs: fs, chunker: chunker)
        shortID = Self.shortID(of: config.localDeviceID)
        let stored = try store.loadFolder(config.folderID, newIndexID: newIndexID)
        indexID = stored.indexID
        for e in stored.local {
            local[e.record.path] = e
            sequence = max(sequence, e.record.sequence)
        }
        for (device, records) in stored.remote {
            remote[device] = Dictionary(records.map { ($0.path, $0) }, uniquingKeysWith: { a, b in a.sequence > b.sequence ? a : b })
            remoteChunkCounts[device] = remote[device]?.values.reduce(0) { $0 + $1.chunks.count }
        }
        progress = stored.progress
    }

    // MARK: Getters

    /// The local record of `path`.
    public func localRecord(_ path: SyncPath) -> FileRecord? { local[path]?.record }

    /// Every local record (tombstones included), in path order.
    public var localRecords: [FileRecord] { local.values.map(\.record).sorted { $0.path < $1.path } }

    /// The highest local sequence number.
    public var maxSequence: UInt64 { sequence }

    /// The winning record of `path` across all devices.
    public func globalRecord(_ path: SyncPath) -> FileRecord? {
        var all: [FileRecord] = []
        if let l = local[path]?.record { all.append(l) }
        for (_, index) in remote.sorted(by: { $0.key < $1.key }) {
            if let r = index[path] { all.append(r) }
        }
        return GlobalState.winner(all)
    }

    /// Paths whose local version differs from the global one (what this device still needs).
    public func needCount() -> Int { computeNeeds().count }

    /// The paths this device still needs, in path order (for status and diagnostics).
    public func neededPaths() -> [SyncPath] { computeNeeds().map(\.path).sorted() }

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
            if pulls[r.path]?.id == r.pullID { pulls[r.path]?.requeue(r.chunkIndex) }
        }
        if retryPullsDue(now: now) { pullPass(now: now) }
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

    func queue(_ frame: SyncFrame, to peer: String) {
        let bytes = frame.encode()
        peers[peer]?.queuedBytes += bytes.count
        outbox.append(SyncTransmit(peer: peer, bytes: bytes))
    }

    func emit(_ event: SyncEvent) { events.append(event) }

    // MARK: Input

    /// Handles one received frame's bytes from `peer` (its authenticated device ID).
    public func handle(bytes: [UInt8], from peer: String, now: Instant) {
        do {
            handle(frame: try SyncFrame.decode(bytes), from: peer, now: now)
        } catch {
            protocolError(peer: peer, reason: error.description, now: now)
        }
    }

    /// Handles one decoded frame from `peer`.
    public func handle(frame: SyncFrame, from peer: String, now: Instant) {
        guard peers[peer] != nil else { return }
        switch frame {
        case .hello(let hello): handleHello(hello, from: peer, now: now)
        case .index(let message): handleIndex(message, from: peer, now: now)
        case .indexComplete(let folder, _):
            guard folder == config.folderID else { return }
            peers[peer]?.indexComplete = true
            pullPass(now: now)
        case .request(let request): serve(request, from: peer)
        case .response(let response): handleResponse(response, from: peer, now: now)
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
        if progress[peer]?.indexID != folder.indexID {
            var batch = IndexBatch(folderID: config.folderID)
            batch.droppedPeers = [peer]
            let p = RemoteProgress(indexID: folder.indexID, maxSequence: 0)
            batch.progress[peer] = p
            if commit(batch) {
                remote[peer] = [:]
                remoteChunkCounts[peer] = 0
                progress[peer] = p
            }
        }
        let since = folder.peerIndexID == indexID ? min(folder.peerMaxSequence, sequence) : 0
        sendIndex(to: peer, since: since, isUpdate: since > 0)
        queue(.indexComplete(folderID: config.folderID, sequence: sequence), to: peer)
    }

    func sendIndex(to peer: String, since: UInt64, isUpdate: Bool) {
        let records = local.values.map(\.record).filter { $0.sequence > since }.sorted { $0.sequence < $1.sequence }
        var first = true
        var i = 0
        while i < records.count {
            let batch = Array(records[i..<min(records.count, i + config.indexBatchRecords)])
            queue(.index(IndexMessage(folderID: config.folderID, indexID: indexID, isUpdate: isUpdate || !first, records: batch)), to: peer)
            first = false
            i += batch.count
        }
        peers[peer]?.sentSequence = sequence
    }

    /// Sends every local record newer than what each ready peer was sent.
    func announce() {
        for (peer, state) in peers where state.helloReceived && state.sentSequence < sequence {
            sendIndex(to: peer, since: state.sentSequence, isUpdate: true)
            queue(.indexComplete(folderID: config.folderID, sequence: sequence), to: peer)
        }
    }

    func handleIndex(_ message: IndexMessage, from peer: String, now: Instant) {
        guard message.folderID == config.folderID, peers[peer]?.helloReceived == true else { return }
        guard progress[peer]?.indexID == message.indexID else { return }
        var index = remote[peer] ?? [:]
        guard index.count + message.records.count <= config.maxRemoteRecords else {
            protocolError(peer: peer, reason: "index larger than \(config.maxRemoteRecords) records", now: now)
            return
        }
        var chunkTotal = remoteChunkCounts[peer] ?? 0
        for r in message.records { chunkTotal += r.chunks.count - (index[r.path]?.chunks.count ?? 0) }
        guard chunkTotal <= config.maxRemoteChunks else {
            protocolError(peer: peer, reason: "index describes more than \(config.maxRemoteChunks) chunks", now: now)
            return
        }
        var batch = IndexBatch(folderID: config.folderID)
        var maxSeq = progress[peer]?.maxSequence ?? 0
        for r in message.records {
            index[r.path] = r
            batch.remote.append((peer, r))
            maxSeq = max(maxSeq, r.sequence)
        }
        let p = RemoteProgress(indexID: message.indexID, maxSequence: maxSeq)
        batch.progress[peer] = p
        guard commit(batch) else { return }
        remote[peer] = index
        remoteChunkCounts[peer] = chunkTotal
        progress[peer] = p
    }

    /// Commits a batch; on failure reports it and returns false (memory state is then not updated).
    @discardableResult
    func commit(_ batch: IndexBatch) -> Bool {
        guard !batch.isEmpty else { return true }
        do {
            try store.commit(batch)
            return true
        } catch {
            emit(.pullFailed(SyncPath(""), reason: "index commit failed: \(error)"))
            return false
        }
    }

    // MARK: Output

    /// The next frame to send, if any.
    public func pollTransmit() -> SyncTransmit? {
        guard outboxHead < outbox.count else {
            if !outbox.isEmpty { outbox.removeAll(keepingCapacity: true); outboxHead = 0 }
            return nil
        }
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

    /// When ``handle(timeout:)`` should next be called (the earliest request deadline).
    public func pollTimeout() -> Instant? {
        let request = requests.values.map(\.deadline).min()
        guard let retry = pullRetryAt.values.min() else { return request }
        return min(request ?? retry, retry)
    }

    /// Expires chunk requests whose deadline passed, and asks again elsewhere.
    public func handle(timeout now: Instant) {
        for (id, r) in requests where r.deadline <= now {
            requests[id] = nil
            bytesInFlight -= r.size
            peers[r.peer]?.outstandingBytes -= r.size
            if pulls[r.path]?.id == r.pullID { pulls[r.path]?.requeue(r.chunkIndex) }
        }
        if retryPullsDue(now: now) { pullPass(now: now) }
        issueRequests(now: now)
    }
}
