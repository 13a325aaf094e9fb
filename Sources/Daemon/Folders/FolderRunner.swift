import ControlAPI
import Foundation
import Logging
import SyncEngine
import SyncFS
import SyncProtocol
import Synchronization
import WireKit

/// Runs one folder: owns its ``FolderEngine`` (so every engine call, and so every file write,
/// completes before the next message is handled), the inotify watcher, the periodic rescan,
/// and one ``PeerLink`` per connected peer. Frames for a peer go through a per-peer sender
/// task that awaits the link's backpressured `send`, keeping their order.
actor FolderRunner {
    private struct Link {
        let link: any PeerLink
        let outbox: Outbox
        let tasks: [Task<Void, Never>]
        let generation: Int
    }

    let settings: FolderSettings
    private let engine: FolderEngine
    private let store: any IndexStore
    /// Flushes pulled files on worker threads while the engine goes on pulling.
    private let syncer: BackgroundFileSyncer
    /// Set while a wake-up for flushed files is on its way (one at a time).
    private let flushWake = WakeFlag()
    private var watcher: InotifyWatcher?
    private var links: [String: Link] = [:]
    private let bus: EventBus
    private let logger: Logger
    private var state = "idle"
    private var lastError: String?
    private var received: UInt64 = 0
    private var rateSample: (at: Instant, bytes: UInt64)
    private var rate: Double = 0
    private var schedule: RescanSchedule
    private var nextRescan: Instant
    private var loop: Task<Void, Never>?
    /// The scan under way, taken a step at a time so frames are handled between steps.
    private var scanTask: Task<Void, Never>?
    /// A scan was asked for while one ran: another follows it.
    private var scanAgain = false
    private var generation = 0
    private var watchedChanges = false
    private var lastWatchedRescan = Instant.monotonicNow()
    /// Least time between watcher-triggered rescans while files are being pulled.
    static let busyRescanInterval: Duration = .seconds(5)
    /// How often the need count in status is recounted while pulls run (a recount walks every
    /// needed path: at 10,000 small files, recounting every 500 ms for a status poller took
    /// ~6 % of the receiver's CPU, every 2 s still ~5 %). Between recounts every pulled or
    /// deleted path is taken off the last count (``NeedTracker``), so progress stays live.
    static let needRecountInterval: Duration = .seconds(10)
    /// The last need count, when it was made and what it cost, kept current between recounts.
    private var lastNeed: (at: Instant, value: NeedSummary, cost: Duration)?
    /// Bytes received from / sent to each peer (for device status).
    private(set) var traffic: [String: (bytesIn: UInt64, bytesOut: UInt64)] = [:]

    init(settings: FolderSettings, deviceID: String, deviceName: String, store: any IndexStore, daemon: DaemonConfig,
         bus: EventBus, logger: Logger) throws {
        self.settings = settings
        var config = FolderConfig(folderID: settings.id, localDeviceID: deviceID, deviceName: deviceName,
                                  mode: try FolderSettings.engineMode(settings.mode))
        config.maxBytesInFlight = daemon.maxBytesInFlight
        config.maxActivePulls = daemon.maxActivePulls
        config.versioning = daemon.versioning
        let fs = LocalFileSystem(root: settings.path)
        // Pulled files are made durable in rounds: one syncfs for every file that finished
        // while the previous round ran (fsync one by one when the flusher cannot be opened).
        var syncAll: (@Sendable () throws(FileSystemError) -> Void)?
        if let flusher = try? FileSystemFlusher(root: settings.path) {
            syncAll = { () throws(FileSystemError) in try flusher.syncAll() }
        }
        // Small pulled files (one chunk) are created and written by its threads too. Once durable,
        // a pulled file's pages leave the page cache: nothing here reads them again, they count
        // against the service's memory (its cgroup is charged for them), and the next files
        // reuse them warm. On a VM that hands freed memory back to its host, copying into
        // fresh page-cache pages cost several times the CPU of recycled ones.
        syncer = BackgroundFileSyncer(threads: 4, sync: { path throws(FileSystemError) in try fs.syncFile(path) }, syncAll: syncAll,
                                      syncDirectory: { path throws(FileSystemError) in try fs.syncDirectory(path) },
                                      writeFile: { write throws(FileSystemError) in try write.perform(on: fs) },
                                      dropCached: { path in fs.dropCachedPages(of: path) })
        engine = try FolderEngine(config: config, fs: fs, store: store, newIndexID: UInt64.random(in: 1...UInt64.max), syncer: syncer)
        self.store = store
        self.bus = bus
        var l = logger
        l[metadataKey: "folder"] = "\(settings.id)"
        self.logger = l
        let now = Instant.monotonicNow()
        rateSample = (now, 0)
        schedule = RescanSchedule(interval: .seconds(daemon.rescanIntervalSeconds), jitter: .seconds(daemon.rescanIntervalSeconds / 4),
                                  seed: FolderEngine.shortID(of: settings.id))
        nextRescan = schedule.next(after: now)
    }

    /// Starts the first scan (it runs on: this returns once it has begun), starts watching,
    /// and starts the timer loop.
    func start() {
        do { watcher = try InotifyWatcher(root: settings.path) } catch {
            logger.warning("not watching the folder for changes: \(error); periodic rescans only")
        }
        if let w = watcher?.limitWarning { logger.warning("\(w)") }
        syncer.setOnFinished { [weak self, flushWake] in
            guard flushWake.raise() else { return }
            Task { await self?.placeFlushed() }
        }
        requestScan()
        loop = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                await self?.tick()
            }
        }
    }

    /// Places a slice of the files the syncer has flushed (woken by it; the tick collects any it
    /// missed). While more wait, the next slice is queued behind what reached this actor
    /// meanwhile: a batch of frames from a link waits one slice (a few ms), not the whole
    /// syncer round (up to 35 ms with 400 small files), and its link keeps returning the
    /// sender's SCTP credit.
    private func placeFlushed() {
        flushWake.lower()
        let more = engine.collectSyncedSlice(now: .monotonicNow())
        drain()
        if more { queuePlaceFlushed() }
    }

    /// Queues ``placeFlushed()`` behind what already waits on this actor, unless it is queued.
    private func queuePlaceFlushed() {
        guard flushWake.raise() else { return }
        Task { [weak self] in await self?.placeFlushed() }
    }

    /// Stops: no new work; the engine call in progress (a file write) has completed, links close.
    func stop() async {
        loop?.cancel()
        loop = nil
        scanTask?.cancel()
        await scanTask?.value   // the step in progress completes; the rest of the scan is left for the next start
        watcher = nil
        for peer in Array(links.keys) { await disconnect(peer) }
        // Files already pulled are placed (their flush is short) rather than left as temp files.
        syncer.setOnFinished(nil)
        syncer.waitForSubmitted()
        engine.collectSynced(now: .monotonicNow())
        // Placing them submitted their directories: once those are durable the files go into the index.
        syncer.waitForSubmitted()
        engine.collectSynced(now: .monotonicNow())
        state = "stopped"
    }

    /// One timer tick: watcher events, due rescans, request timeouts.
    func tick() {
        let now = Instant.monotonicNow()
        if let w = watcher {
            w.readEvents(now: now)
            // Most events while pulling are the engine's own writes: only a path the disk shows
            // differently from the index (or a lost watch) calls for a rescan.
            if let batch = w.batcher.poll(now: now), batch.fullRescan || !batch.paths.allSatisfy(engine.isKnownChange) {
                watchedChanges = true
            }
        }
        // While pulling, the watcher mostly reports the engine's own writes; a rescan walks the
        // whole tree inside this actor and holds up every chunk response, so watched changes
        // are rescanned when the pulls are done, or at most every `busyRescanInterval`.
        if watchedChanges && (!engine.hasNeeds() || now - lastWatchedRescan >= Self.busyRescanInterval) {
            watchedChanges = false
            lastWatchedRescan = now
            requestScan()
        }
        if now >= nextRescan {
            nextRescan = schedule.next(after: now)
            requestScan()
            // Tombstones every peer has acknowledged expire after the engine's retention.
            let expired = engine.expireTombstones(wallClockNanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
            if expired > 0 { logger.debug("expired \(expired) deletion records") }
            do {
                let swept = try store.removeUnusedChunkLists(limit: 100_000)
                if swept > 0 { logger.debug("removed \(swept) unused chunk lists from the index") }
            } catch {
                logger.warning("could not sweep unused chunk lists from the index: \(error)")
            }
        }
        if let t = engine.pollTimeout(), t <= now { engine.handle(timeout: now) }
        drain()
        if engine.hasSyncedBacklog { queuePlaceFlushed() }
        let elapsed = Double((now - rateSample.at).components.seconds) + Double((now - rateSample.at).components.attoseconds) / 1e18
        if elapsed >= 1 {
            rate = Double(received - rateSample.bytes) / elapsed
            rateSample = (now, received)
        }
    }

    /// Scans the folder now (and pulls what is needed); returns when the scan is done.
    func rescan() async {
        requestScan()
        await scanTask?.value
    }

    /// Starts a scan, or, while one runs, has another follow it; returns at once.
    func requestScan() {
        guard scanTask == nil else { scanAgain = true; return }
        scanTask = Task { await self.runScans() }
    }

    /// Runs scans until none is asked for. Each step commits and announces a batch; between
    /// steps this actor handles frames, so peers pull (and are served) what is committed while
    /// the rest of the folder is read. A step's files are read and hashed off this actor
    /// (``hashOffActor(_:)``), which meanwhile serves requests and handles frames; it only
    /// walks the folder and commits. A cancelled scan (folder removed or paused) ends after the
    /// step under way is committed.
    private func runScans() async {
        repeat {
            scanAgain = false
            guard engine.beginScan(now: .monotonicNow()) else { drain(); break }
            while !Task.isCancelled {
                let more: Bool
                if var batch = engine.walkScanStep(now: .monotonicNow()) {
                    if batch.filesToHash > 0 && batch.canHashElsewhere {
                        batch = await Self.hashOffActor(batch)
                    } else {
                        batch.hash()
                    }
                    more = engine.finishScanStep(batch, now: .monotonicNow())
                } else {
                    more = engine.continueScan(now: .monotonicNow())
                }
                drain()
                guard more else { break }
                await Task.yield()
            }
            drain()
            guard !Task.isCancelled else { break }
            let summary = engine.lastScanSummary
            if summary.recorded > 0 { logger.debug("scan recorded \(summary.recorded) changes, hashed \(summary.hashedBytes) bytes") }
        } while scanAgain
        scanTask = nil
    }

    /// Hashes `batch` on a worker thread (its own hashing threads under it), not on the
    /// cooperative pool this actor runs on, and returns it hashed.
    private static func hashOffActor(_ batch: ScanBatch) async -> ScanBatch {
        await withCheckedContinuation { (done: CheckedContinuation<ScanBatch, Never>) in
            DispatchQueue.global(qos: .utility).async {
                var hashed = batch
                hashed.hash()
                done.resume(returning: hashed)
            }
        }
    }

    /// Attaches an authenticated link to `link.peerDeviceID` (replacing an older one).
    func connect(_ link: any PeerLink) async {
        let peer = link.peerDeviceID
        if links[peer] != nil { await disconnect(peer) }
        generation += 1
        let current = generation
        let outbox = Outbox(wakeBelow: engine.config.maxUnsentIndexBytes)
        // The outbox finishes after a Close frame (a protocol error, or the engine giving up on
        // the peer): the stream is then closed, so a peer that broke the protocol is not left
        // with an open channel that is read and ignored. Frames go out in batches (all that
        // wait, up to the outbox's batch size) where the link can take them at once. What is
        // handed over is counted off in the outbox; the folder hears of it only when that lets
        // it page its index on (``Outbox/sent(_:)``).
        let sender = Task { [weak self] in
            let batching = link as? any BatchSendingPeerLink
            while let batch = await outbox.next() {
                do {
                    if let batching { try await batching.send(batch: batch) } else { for m in batch { try await link.send(m) } }
                } catch { break }
                if outbox.sent(batch.reduce(0) { $0 + $1.count }) { await self?.unsentFell(peer, generation: current) }
            }
            await link.close()
        }
        // Frames come in batches where the link has them (everything waiting, one hop into
        // this actor and one drain per batch), one by one otherwise. Each batch is decoded and
        // its chunks hashed here, outside the actor, while the actor handles the batch before
        // (``ReceivedFrames``).
        let receiver = Task { [weak self] in
            let frames = ReceivedFrames()
            if let batching = link as? any BatchReceivingPeerLink {
                for await batch in batching.incomingBatches {
                    await frames.deliver(batch) { [weak self] prepared in await self?.receive(prepared, from: peer) }
                }
            } else {
                for await message in link.incoming {
                    await frames.deliver([message]) { [weak self] prepared in await self?.receive(prepared, from: peer) }
                }
            }
            await frames.finish()
            await self?.linkClosed(peer, generation: current)
        }
        links[peer] = Link(link: link, outbox: outbox, tasks: [sender, receiver], generation: current)
        engine.connect(peer: peer, now: .monotonicNow())
        bus.publish(ControlEvent(time: Date().timeIntervalSince1970, type: "device-connected", folder: settings.id, device: peer))
        logger.info("connected", metadata: ["device": "\(peer)"])
        drain()
    }

    /// Closes the link to `peer`.
    func disconnect(_ peer: String) async {
        guard let l = links.removeValue(forKey: peer) else { return }
        engine.disconnect(peer: peer, now: .monotonicNow())
        l.outbox.finish()
        await l.link.close()
        for t in l.tasks { t.cancel() }
        bus.publish(ControlEvent(time: Date().timeIntervalSince1970, type: "device-disconnected", folder: settings.id, device: peer))
        drain()
    }

    /// The bytes waiting for `peer`'s link fell below the index paging limit: the engine may
    /// queue more for it.
    private func unsentFell(_ peer: String, generation: Int) {
        guard let l = links[peer], l.generation == generation else { return }
        engine.setUnsentBytes(l.outbox.unsentBytes, peer: peer)
        drain()
    }

    private func linkClosed(_ peer: String, generation: Int) async {
        guard let l = links[peer], l.generation == generation else { return }
        await disconnect(peer)
    }

    /// Hands `frames` to the engine in order, then sends what they caused (one drain).
    private func receive(_ frames: [ReceivedFrame], from peer: String) {
        let now = Instant.monotonicNow()
        // What the sender handed over since is counted off in the outbox: the engine's response
        // and paging limits see the bytes still waiting.
        if let l = links[peer] { engine.setUnsentBytes(l.outbox.unsentBytes, peer: peer) }
        var i = 0
        while i < frames.count {
            guard links[peer] != nil else { return }
            // A run of chunk requests is served in one read transaction of the index.
            var end = i + 1
            while end < frames.count && frames[i].isRequest && frames[end].isRequest { end += 1 }
            for f in frames[i..<end] { traffic[peer, default: (0, 0)].bytesIn += UInt64(f.wireBytes) }
            if end - i > 1 { engine.handle(requests: frames[i..<end], from: peer, now: now) } else { engine.handle(frames[i], from: peer, now: now) }
            i = end
        }
        drain()
    }

    /// Sends queued frames and publishes engine events.
    private func drain() {
        // Frames are handed to each peer's outbox together, once the engine has none left, so
        // its sender takes them as one batch (one hop into the transport, one flush).
        var frames: [String: [[UInt8]]] = [:]
        var unsent: [String: Int] = [:]
        var closing: Set<String> = []
        while let t = engine.pollTransmit() {
            guard let l = links[t.peer], !closing.contains(t.peer) else { continue }
            traffic[t.peer, default: (0, 0)].bytesOut += UInt64(t.bytes.count)
            frames[t.peer, default: []].append(t.bytes)
            // What waits in the outbox (and what this drain will put there) counts against the
            // engine's index paging and response limits, so a large index is not copied into
            // the outbox whole.
            let waiting = unsent[t.peer] ?? l.outbox.unsentBytes
            unsent[t.peer] = waiting + t.bytes.count
            engine.setUnsentBytes(waiting + t.bytes.count, peer: t.peer)
            // A close frame ends the link (checked by its type byte; decoding every outgoing
            // frame copied each chunk response once more).
            if t.bytes.count > 5 && t.bytes[5] == SyncFrame.MessageType.close.rawValue { closing.insert(t.peer) }
        }
        for (peer, list) in frames { links[peer]?.outbox.yield(list) }
        for peer in closing { links[peer]?.outbox.finish() }
        while let e = engine.pollEvent() { publish(e) }
        // Whether anything is needed is worked out when status is asked for, not after every
        // message: counting needs walks the index.
        if state != "stopped" { state = engine.markerMissing ? "stopped" : engine.isScanning ? "scanning" : "pending" }
    }

    /// `state`, with "pending" resolved to syncing or idle.
    private func resolvedState() -> String {
        guard state == "pending" else { return state }
        return engine.hasNeeds() && !links.isEmpty ? "syncing" : "idle"
    }

    private func publish(_ e: SyncEvent) {
        let now = Date().timeIntervalSince1970
        var event = ControlEvent(time: now, type: "", folder: settings.id)
        switch e {
        case .localChanged(let p): event.type = "local-changed"; event.path = p.string
        case .pulled(let p):
            event.type = "pulled"; event.path = p.string
            let size = engine.localRecordSize(p)
            received += size
            if lastNeed != nil { lastNeed?.value.take(pulledFileOf: size) }
            logger.debug("pulled", metadata: ["path": "\(p.string)"])
        case .deleted(let p):
            event.type = "deleted"; event.path = p.string
            if lastNeed != nil { lastNeed?.value.takeDeletion() }
        case .conflict(let p, let copy):
            event.type = "conflict"; event.path = p.string; event.message = "other version kept as \(copy.string)"
            logger.notice("conflict: kept the other version as \(copy.string)", metadata: ["path": "\(p.string)"])
        case .massDeletionBlocked(let count):
            event.type = "error"; event.message = "a pull would delete \(count) files; deletions stopped"
            lastError = event.message
            logger.warning("\(count) deletions blocked by the mass-deletion guard")
        case .folderMarkerMissing:
            event.type = "error"; event.message = "the folder marker .peersync is missing (unmounted disk?); syncing stopped"
            lastError = event.message
            logger.error("folder marker missing; scanning and pulling stopped")
        case .peerError(let peer, let reason):
            event.type = "error"; event.device = peer; event.message = reason
            lastError = "refused data from device \(peer) and closed its stream: \(reason)"
            logger.warning("peer broke the protocol: \(reason)", metadata: ["device": "\(peer)"])
        case .pullFailed(let p, let reason):
            event.type = "pull-failed"; event.path = p.string; event.message = reason
            lastError = reason
            logger.warning("pull failed: \(reason)", metadata: ["path": "\(p.string)"])
        case .receiveOnlyChanges(let count):
            event.type = "receive-only-changes"; event.message = "\(count) local changes not sent"
        }
        bus.publish(event)
    }

    /// The folder's status for `syncctl status`.
    func status(paused: Bool) -> FolderStatus {
        // Aggregates from the store and one chunk-free need walk (cached until the index
        // changes): status is polled by `syncctl watch` and scripts while a sync runs, and must
        // not cost the sync.
        let local = engine.localTotals()
        let need = currentNeed()
        let globalFiles = local.files - min(local.files, need.replacedFiles) + need.files
        let globalBytes = local.bytes - min(local.bytes, need.replacedBytes) + need.bytes
        let progress = globalBytes == 0 ? (need.paths == 0 ? 1 : 0) : Double(globalBytes - need.bytes) / Double(globalBytes)
        return FolderStatus(id: settings.id, path: settings.path, state: paused ? "paused" : (lastError != nil && state == "stopped" ? "error" : resolvedState()),
                            localFiles: local.files, localBytes: local.bytes, globalFiles: globalFiles, globalBytes: globalBytes,
                            needFiles: need.paths, needBytes: need.bytes, progress: need.paths == 0 ? 1 : min(progress, 0.999),
                            rateBytesPerSecond: rate, connectedDevices: links.keys.sorted(), error: lastError)
    }

    /// The engine's need summary; while pulls run (the count changes with every file) it is
    /// recounted at most every ``needRecountInterval`` and kept current in between by the
    /// pulled and deleted events, so a status poll costs the sync little. Once pulling stops it
    /// is always fresh, so "nothing needed" is never reported late.
    private func currentNeed() -> NeedSummary {
        let now = Instant.monotonicNow()
        // A recount walks every path some peer differs on: it is made no more often than ten
        // times its own cost (a peer announcing a million paths must not keep the folder busy
        // counting them for every status poll), and while pulls run at most every
        // `needRecountInterval`.
        if let last = lastNeed {
            let spacing = engine.isPulling ? max(Self.needRecountInterval, last.cost * 10) : last.cost * 10
            if now - last.at < spacing { return last.value }
        }
        let value = engine.needSummary()
        let after = Instant.monotonicNow()
        lastNeed = (after, value, after - now)
        return value
    }

    /// The folder's state (syncing, idle, paused, …) without counting what is needed (for the
    /// one-line systemd STATUS, refreshed every few seconds).
    func briefState(paused: Bool) -> String {
        paused ? "paused" : (lastError != nil && state == "stopped" ? "error" : resolvedState())
    }

    /// Devices with a live link to this folder.
    var connectedDevices: [String] { links.keys.sorted() }

    /// Conflict copies present in the folder.
    func conflicts() -> [ConflictInfo] {
        var result: [ConflictInfo] = []
        engine.forEachLocalRecord(withChunks: false) { r in   // one page of the index in memory at a time
            guard !r.deleted else { return }
            let name = r.path.name
            guard let range = name.range(of: ConflictNaming.marker) else { return }
            let base = String(name[..<range.lowerBound])
            let rest = name[range.upperBound...]
            let ext = rest.lastIndex(of: ".").map { String(rest[$0...]) } ?? ""
            let original = base + ext
            let path = r.path.parent.map { $0.appending(original).string } ?? original
            result.append(ConflictInfo(folder: settings.id, path: path, copy: r.path.string))
        }
        return result
    }

    /// Keeps one side of a conflict: `winner` deletes the copy, `copy` moves the copy over the file.
    func resolve(copy: String, keep: String) throws(DaemonError) {
        guard let c = conflicts().first(where: { $0.copy == copy }) else {
            throw .notFound("no conflict copy \(copy) in folder \(settings.id)", hint: "see `syncctl conflicts list`")
        }
        let copyPath = settings.path + "/" + c.copy
        let target = settings.path + "/" + c.path
        switch keep {
        case "winner":
            guard unlink(copyPath) == 0 else { throw .io("removing \(copyPath): \(String(cString: strerror(errno)))") }
        case "copy":
            guard Foundation.rename(copyPath, target) == 0 else { throw .io("renaming \(copyPath): \(String(cString: strerror(errno)))") }
        default:
            throw .badRequest("keep must be winner or copy, not \(keep)", hint: "winner keeps the current file, copy keeps the conflict copy")
        }
        requestScan()
    }

    /// Traffic counters per peer.
    func trafficCounters() -> [String: (bytesIn: UInt64, bytesOut: UInt64)] { traffic }
}

/// A flag raised by at most one waker at a time (the syncer's threads coalesce their wake-ups).
final class WakeFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Raises the flag; true when it was down (the caller should wake the runner).
    func raise() -> Bool {
        raised.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Lowers the flag (the runner is handling the wake-up).
    func lower() { raised.store(false, ordering: .releasing) }
}
