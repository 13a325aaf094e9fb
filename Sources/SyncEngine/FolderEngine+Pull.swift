import SyncFS
import SyncProtocol
import WireKit

extension FolderEngine {
    /// Commits local entries (assigning sequence numbers) and announces them.
    func record(_ batch: IndexBatch) {
        var b = batch
        var seq = sequence
        for i in b.local.indices {
            seq += 1
            b.local[i].record.sequence = seq
        }
        guard !b.local.isEmpty else { return }
        let wasDeleted = b.local.map { localEntry($0.record.path, withChunks: false)?.record.deleted ?? true }
        guard commit(b) else { return }
        sequence = seq
        cachedNeedSummary = nil
        for (e, was) in zip(b.local, wasDeleted) {
            if e.record.deleted { if !was { emit(.deleted(e.record.path)) } } else { emit(.pulled(e.record.path)) }
        }
        announce()
    }

    /// True when a change the folder watcher reported needs no rescan: the disk shows what the
    /// index last recorded (the engine's own write, or nothing), or the path is a temp file.
    public func isKnownChange(_ path: SyncPath) -> Bool {
        if path.name.hasPrefix(PathPolicy.tempPrefix) { return true }
        let disk = (try? fs.info(path.string)) ?? nil   // one lstat for both questions
        if let same = matchesPlacing(path, disk.flatMap { LocalFileState($0) }) { return same }   // renamed or applied, index commit pending
        return diskMatchesIndex(path, disk: disk)
    }

    /// Whether `disk` is still what the engine left at `path`, which it renamed or applied and
    /// whose index commit waits for a flush; nil when `path` is not waiting so. A directory's
    /// mtime moves with every file pulled into it: only its kind counts, as once it is in the
    /// index (``diskMatchesIndex(_:disk:)``). The watcher and the scan both ask this.
    func matchesPlacing(_ path: SyncPath, _ disk: LocalFileState?) -> Bool? {
        guard let placed = placingStates[path] else { return nil }
        if placed.kind == .directory { return disk?.kind == .directory }
        return disk == placed
    }

    /// True when the disk still shows what the index last recorded (no unscanned local change).
    func diskMatchesIndex(_ path: SyncPath) -> Bool {
        diskMatchesIndex(path, disk: (try? fs.info(path.string)) ?? nil)
    }

    /// ``diskMatchesIndex(_:)`` with what `lstat` shows at `path` (`disk`), already looked up.
    func diskMatchesIndex(_ path: SyncPath, disk: FileInfo?) -> Bool {
        guard let entry = localEntry(path, withChunks: false), !entry.record.deleted else { return disk == nil }
        guard let d = disk, let state = LocalFileState(d) else { return false }
        if state.kind == .directory { return entry.state?.kind == .directory }
        return state == entry.state
    }

    /// Whether a pull of `path` may start: the disk still shows what the index holds there. Where
    /// the index holds nothing, the disk is not looked at: the placing rename refuses a taken
    /// path (``AtomicWriter/placeNew(_:at:)``), and a path it found taken is looked at from
    /// then on (``occupiedNewPaths``), so it is not fetched again until it is free.
    func mayPull(_ path: SyncPath) -> Bool {
        guard let entry = localEntry(path, withChunks: false), !entry.record.deleted else {
            guard occupiedNewPaths.contains(path) else { return true }
            let free = ((try? fs.info(path.string)) ?? nil) == nil
            if free { occupiedNewPaths.remove(path) }
            return free
        }
        return diskMatchesIndex(path)
    }

    func currentState(_ path: SyncPath) -> LocalFileState? {
        ((try? fs.info(path.string)) ?? nil).flatMap { LocalFileState($0) }
    }

    /// Creates or updates a directory or symlink. With `syncParent` false the caller makes the
    /// parent directory durable (once for all it applied, see ``syncAppliedParents(_:into:)``)
    /// before committing the entry.
    func apply(_ n: Need, syncParent: Bool = true) -> LocalEntry? {
        guard let g = n.global else { return nil }
        let p = n.path.string
        guard n.revert || diskMatchesIndex(n.path) else { return nil }
        do {
            if let parent = n.path.parent { try fs.makeDirectories(parent.string) }
            let disk = try fs.info(p)
            if g.kind == .directory {
                if let d = disk, d.kind == .directory {
                    if d.permissions != g.permissions { try fs.setPermissions(p, g.permissions) }
                } else {
                    if let d = disk { try removeReplaced(p, kind: d.kind) }
                    try fs.makeDirectory(p, permissions: g.permissions)
                    try fs.setPermissions(p, g.permissions)
                }
            } else {
                if let d = disk, d.kind == .symlink, d.symlinkTarget == g.symlinkTarget {
                } else {
                    if let d = disk { try removeReplaced(p, kind: d.kind) }
                    try fs.makeSymlink(p, target: g.symlinkTarget)
                }
            }
            if syncParent { try fs.syncDirectory(n.path.parent?.string ?? "") }
            return LocalEntry(record: g, state: currentState(n.path))
        } catch {
            emit(.pullFailed(n.path, reason: "\(error)"))
            return nil
        }
    }

    /// Makes the parents of directories and symlinks applied without their own parent fsync
    /// durable, each once (by the syncer: all at once), and adds to `batch` the entries whose
    /// parent is durable; the others are reported and left out of the index (the next scan
    /// adopts them). When the syncer takes directories, they join its next round instead and
    /// the entries wait in ``placing`` (``collectSynced(now:)`` commits them): the folder's
    /// thread never waits on a directory fsync. A page of the walk creating 100 directories in
    /// one parent fsyncs it once instead of 100 times (each waited for the journal while large
    /// files were written back).
    func syncAppliedParents(_ applied: [LocalEntry], into batch: inout IndexBatch) {
        guard !applied.isEmpty else { return }
        var dirs: [String] = []
        var seen: Set<String> = []
        for e in applied where seen.insert(e.record.path.parent?.string ?? "").inserted { dirs.append(e.record.path.parent?.string ?? "") }
        if let syncer, syncer.submitDirectories(dirs) {
            holdUntilDurable(applied.map { ($0, $0.record.path.parent?.string ?? "") }, directories: dirs)
            return
        }
        var failed: [String: FileSystemError] = [:]
        if let syncer {
            failed = syncer.syncDirectories(dirs, fs: fs)
        } else {
            for d in dirs {
                do throws(FileSystemError) { try fs.syncDirectory(d) } catch { failed[d] = error }
            }
        }
        for e in applied {
            if let error = failed[e.record.path.parent?.string ?? ""] {
                emit(.pullFailed(e.record.path, reason: "\(error)"))
                continue
            }
            batch.local.append(e)
        }
    }

    func removeReplaced(_ path: String, kind: FileKind?) throws(FileSystemError) {
        // A directory is replaced only once empty: its children's own deletions come first, and
        // anything else in it (unsynced or ignored files) is never thrown away.
        if kind == .directory { try fs.remove(path) } else if config.versioning && kind == .file { try moveToVersions(path) } else { try fs.remove(path) }
    }

    /// Applies a remote deletion (or removes a local-only file on revert).
    func applyDelete(_ n: Need) -> LocalEntry? {
        guard n.revert || diskMatchesIndex(n.path) else { return nil }
        do {
            if let d = try fs.info(n.path.string) {
                if d.kind == .directory {
                    do { try fs.remove(n.path.string) } catch where error.code == FileSystemError.notEmpty {
                        return resurrectDirectory(n)
                    }
                } else if config.versioning && d.kind == .file {
                    rememberVersioned(try moveToVersions(n.path.string), record: n.local)
                } else if d.kind == .file {
                    try holdDeleted(n.path, record: n.local)   // reusable a while: a rename's new name may come later
                } else {
                    try fs.remove(n.path.string)
                }
                try fs.syncDirectory(n.path.parent?.string ?? "")
            }
        } catch {
            emit(.pullFailed(n.path, reason: "\(error)"))
            return nil
        }
        guard let g = n.global else {
            // A revert of a local-only entry: no record remains to announce.
            revertRequested.remove(n.path)
            return nil
        }
        return LocalEntry(record: g, state: nil)
    }

    /// A directory deleted remotely still holds entries here (new or changed files, or ignored
    /// ones): it is kept, with a version that supersedes the deletion, so its content can sync.
    func resurrectDirectory(_ n: Need) -> LocalEntry? {
        guard let g = n.global, let state = currentState(n.path), state.kind == .directory else { return nil }
        let base = n.local ?? g
        var r = FileRecord(path: n.path, kind: .directory, permissions: state.permissions, modifiedBy: shortID,
                           version: base.version.merged(with: g.version).incremented(by: shortID))
        r.sequence = 0
        return LocalEntry(record: r, state: state)
    }

    /// Moves a replaced or deleted file into `.peersync/versions/`, stamped with its mtime;
    /// returns where it went.
    @discardableResult
    func moveToVersions(_ path: String) throws(FileSystemError) -> String {
        let mtime = try fs.info(path)?.mtimeNanoseconds ?? 0
        let base = PathPolicy.stateDirectoryName + "/versions/" + path + "~" + ConflictNaming.timestamp(mtime)
        if let parent = SyncPath(base).parent { try fs.makeDirectories(parent.string) }
        var dest = base
        var n = 1
        while try fs.info(dest) != nil { dest = base + "-\(n)"; n += 1 }
        try fs.rename(path, to: dest)
        return dest
    }

    /// `record` with its chunk list (page records come without), or nil when the store no
    /// longer holds the list (the records naming it were replaced).
    func withChunkList(_ record: FileRecord) -> FileRecord? {
        guard record.kind == .file, !record.deleted, record.chunks.isEmpty, record.size > 0 else { return record }
        guard let list = (try? store.chunkList(folderID: config.folderID, contentHash: record.contentHash)) ?? nil else { return nil }
        var r = record
        r.chunks = list
        return r
    }

    /// Starts pulling a file: reuses chunks from a resumed temp file and from local files,
    /// queues the rest for peers. Returns an entry when only metadata had to change.
    /// `holders` are the peers known to announce the target content (looked up when nil).
    func startPull(_ n: Need, holders: [String]? = nil) -> LocalEntry? {
        guard let g = n.global, !syncingTargets.contains(n.path) else { return nil }   // a flushing file is placed first
        if let existing = pulls[n.path] {
            if existing.target.version == g.version && existing.target.contentHash == g.contentHash { return nil }
            abandon(n.path)
        }
        guard n.revert || mayPull(n.path) else { return nil }
        let l = n.local
        if !n.revert, let l, !l.deleted, l.kind == .file, l.contentHash == g.contentHash, l.size == g.size {
            do {
                if l.permissions != g.permissions { try fs.setPermissions(n.path.string, g.permissions) }
                if l.mtimeNanoseconds != g.mtimeNanoseconds { try fs.setModificationTime(n.path.string, g.mtimeNanoseconds) }
                return LocalEntry(record: g, state: currentState(n.path))
            } catch {
                emit(.pullFailed(n.path, reason: "\(error)"))
                return nil
            }
        }
        let conflict = !n.revert && l.map { !$0.deleted && $0.version.compare(g.version) == .concurrent && !$0.sameContent(as: g) } ?? false
        var temp: TempFile?
        do {
            if !defersWrite(of: g) {
                do { temp = try writer.openTemp(for: n.path, contentHash: g.contentHash, size: g.size) } catch {
                    // The parent is looked at only when the temp file could not be made (one
                    // lookup less per pulled file): a missing or unusable parent is reported, and
                    // retried when the index changes, not on the failure backoff.
                    if let why = unusableParent(of: n.path) {
                        emit(.pullFailed(n.path, reason: why))
                        return nil
                    }
                    throw error
                }
            }
            var offsets: [UInt64] = []
            var off: UInt64 = 0
            for c in g.chunks { offsets.append(off); off += UInt64(c.size) }
            nextPullID += 1
            var pull = ActivePull(id: nextPullID, target: g, tempPath: temp?.path ?? AtomicWriter.tempPath(for: n.path, contentHash: g.contentHash),
                                  temp: temp, offsets: offsets, remaining: g.chunks.count, conflict: conflict, revert: n.revert)
            pull.holders = holders
            let resumed = temp?.resumable == true ? try? fs.openRead(pull.tempPath) : nil
            defer { resumed?.close() }
            for (i, c) in g.chunks.enumerated() {
                if let r = resumed, let bytes = try? r.read(at: offsets[i], count: Int(c.size)),
                   bytes.count == Int(c.size), SHA256Hasher.hash(bytes) == c.hash {
                    pull.remaining -= 1
                    continue
                }
                if let bytes = localChunk(c) {
                    if let temp { try writer.write(bytes, chunk: c, at: offsets[i], into: temp, hash: c.hash) } else { pull.data = bytes[...] }
                    pull.remaining -= 1
                    continue
                }
                pull.queued.append(i)
            }
            if !pull.queued.isEmpty, let l { pull.appendPrefix = appendPrefix(of: l, in: g, offsets: offsets, queued: pull.queued) }
            pulls[n.path] = pull
            if pull.queued.isEmpty { readyPulls.append(n.path) } else { markWaiting(n.path) }
        } catch {
            temp?.close()   // kept for a resume; its descriptor is not
            emit(.pullFailed(n.path, reason: "\(error)"))
            failedPulls.insert(n.path)
        }
        return nil
    }

    /// Whether a pull of `target` creates no temp file: its one chunk, once received and
    /// verified, goes to the ``FileSyncer``, which creates, writes and flushes the temp file off
    /// the folder's thread (``FileSyncer/submitWrite(_:)``). Such a pull does not resume a temp
    /// file left by an earlier attempt (a chunk is at most 256 KiB); it reuses local chunks.
    func defersWrite(of target: FileRecord) -> Bool {
        target.chunks.count == 1 && syncer?.writesFiles == true
    }

    /// Why the parent directory of `path` cannot receive a file (missing, a symlink, not a
    /// directory), or nil when it can or its lookup failed.
    func unusableParent(of path: SyncPath) -> String? {
        guard let parent = path.parent else { return nil }
        // A failed lookup (a symlink further up) is left to the caller's own error.
        let found: FileInfo?
        do { found = try fs.info(parent.string) } catch { return nil }
        guard let d = found else { return "its parent directory \(parent.string) is missing" }
        if d.kind == .directory { return nil }
        return d.kind == .symlink ? "its parent \(parent.string) is a symlink; PeerSync never writes through one"
            : "its parent \(parent.string) is not a directory"
    }

    /// The chunk of `target` that may begin with the end of the local file it replaces (the
    /// file grew by an append): it straddles the old end of file, starts where an old chunk
    /// started, and the old file holds at least ``minimumAppendPrefix`` of its bytes.
    func appendPrefix(of local: FileRecord, in target: FileRecord, offsets: [UInt64], queued: [Int]) -> (index: Int, bytes: Int)? {
        guard !local.deleted, local.kind == .file, local.size > 0, target.size > local.size else { return nil }
        let end = local.size
        guard let i = queued.first(where: { offsets[$0] < end && end < offsets[$0] + UInt64(target.chunks[$0].size) }),
              end - offsets[i] >= UInt64(Self.minimumAppendPrefix),
              let old = withChunkList(local) else { return nil }
        var start: UInt64 = 0
        for c in old.chunks {
            if start == offsets[i] { return (i, Int(end - offsets[i])) }
            if start > offsets[i] { break }
            start += UInt64(c.size)
        }
        return nil
    }

    /// The fewest bytes of a chunk worth taking from the old file instead of the network.
    static let minimumAppendPrefix = 1024

    /// The whole chunk of a response to a request with a `skip`: the old file's leading bytes
    /// (if the file on disk is still the indexed one) followed by the response, or nil.
    func withAppendPrefix(_ data: ArraySlice<UInt8>, _ r: PendingRequest, offset: UInt64) -> ArraySlice<UInt8>? {
        guard data.count == r.size, diskMatchesIndex(r.path), let f = try? fs.openRead(r.path.string) else { return nil }
        defer { f.close() }
        guard var bytes = try? f.read(at: offset, count: r.skip), bytes.count == r.skip else { return nil }
        bytes.append(contentsOf: data)
        return bytes[...]
    }

    /// A chunk's bytes from a local file of the folder that has it, or else from a file a peer
    /// deleted lately (``heldChunk(_:)``), verified; or nil. The store is asked only when
    /// ``chunkFilter`` says the folder may hold the chunk.
    func localChunk(_ c: ChunkInfo) -> [UInt8]? {
        if let bytes = indexedLocalChunk(c) { return bytes }
        return held.chunks.isEmpty ? nil : heldChunk(c)
    }

    /// A chunk's bytes from a file of the folder's local index that has it (verified), or nil.
    func indexedLocalChunk(_ c: ChunkInfo) -> [UInt8]? {
        guard localChunkFilter().mayContain(c.hash) else { return nil }
        guard let found = (try? store.localChunkLocation(folderID: config.folderID, hash: c.hash)) ?? nil,
              diskMatchesIndex(found.path) else { return nil }
        return verifiedChunk(c, in: found.path.string, at: found.offset)
    }

    /// Chunk `c` read from `file` at `offset`, or nil when it can't be read or its bytes are
    /// not the chunk (the file changed since its location was recorded).
    func verifiedChunk(_ c: ChunkInfo, in file: String, at offset: UInt64) -> [UInt8]? {
        guard let f = try? fs.openRead(file) else { return nil }
        defer { f.close() }
        guard let bytes = try? f.read(at: offset, count: Int(c.size)), SHA256Hasher.hash(bytes) == c.hash else { return nil }
        return bytes
    }

    /// ``chunkFilter``, built from the store when missing: sized for twice the hashes the store
    /// holds. When the store cannot be read the filter stays empty of what it holds (pulls then
    /// fetch every chunk from peers until it is rebuilt when overfull).
    func localChunkFilter() -> LocalChunkFilter {
        if let f = chunkFilter { return f }
        // Two reads of the store (count, then insert): holding the hashes meanwhile would cost
        // 32 bytes each, far more than the filter.
        var count = 0
        try? store.forEachLocalChunkHash(folderID: config.folderID) { _ in count += 1 }
        var f = LocalChunkFilter(capacity: count * 2)
        try? store.forEachLocalChunkHash(folderID: config.folderID) { f.insert($0) }
        chunkFilter = f
        return f
    }

    /// Adds the chunks of `entries` (just committed as local) to ``chunkFilter``, and drops it
    /// when overfull so that the next use builds it again, larger. An entry committed without
    /// its chunk list (a metadata change) adds nothing: its content was added with its list.
    func noteLocalChunks(_ entries: [LocalEntry]) {
        guard var f = chunkFilter else { return }
        chunkFilter = nil   // uniquely referenced while it is added to
        for e in entries where e.record.kind == .file && !e.record.deleted {
            for c in e.record.chunks { f.insert(c.hash) }
        }
        chunkFilter = f.isOverfull ? nil : f
    }

    /// Drops a pull (its temp file is kept for a later resume only if the version stays the same).
    func abandon(_ path: SyncPath) {
        guard let p = pulls.removeValue(forKey: path) else { return }
        for (id, r) in requests where r.path == path && r.pullID == p.id {
            requests[id] = nil
            bytesInFlight -= r.size
            peers[r.peer]?.outstandingBytes -= r.size
        }
        if let temp = p.temp { writer.abandon(temp) }
    }

    /// Notes that `path`'s pull has chunks to request.
    func markWaiting(_ path: SyncPath) {
        if waitingPullSet.insert(path).inserted { waitingPulls.append(path) }
    }

    /// Puts an unanswered request's chunk back in its pull's queue (if that pull still runs).
    func requeue(_ r: PendingRequest) {
        guard pulls[r.path]?.id == r.pullID else { return }
        pulls[r.path]?.requeue(r.chunkIndex)
        markWaiting(r.path)
    }

    /// Sends chunk requests for queued chunks while the in-flight budget allows, visiting the
    /// pulls that wait for requests in the order they began waiting.
    func issueRequests(now: Instant) {
        var i = 0
        while i < waitingPulls.count {
            let path = waitingPulls[i]
            // The pull is changed in place (through its index): a copy taken out of ``pulls`` and
            // stored back made every request copy the pull's queue and its set of pending chunks.
            guard let pi = pulls.index(forKey: path), !pulls.values[pi].queued.isEmpty else {
                stopWaiting(at: i)
                continue
            }
            while let index = pulls.values[pi].queued.first {
                let target = pulls.values[pi].target
                let skip = pulls.values[pi].appendPrefix?.index == index ? pulls.values[pi].appendPrefix?.bytes ?? 0 : 0
                let size = Int(target.chunks[index].size) - skip
                if bytesInFlight > 0 && bytesInFlight + size > config.maxBytesInFlight { return }
                if pulls.values[pi].holders == nil {
                    pulls.values[pi].holders = remoteRecords(path, withChunks: false)
                        .filter { $0.value.contentHash == target.contentHash && !$0.value.deleted }.map(\.key)
                }
                guard let peer = leastBusyPeer(holders: pulls.values[pi].holders ?? [], excluding: pulls.values[pi].excludedPeers) else {
                    pulls.values[pi].holders = nil   // nobody can serve it now: look again next time (a peer may have announced it since)
                    break
                }
                let id = nextRequestID
                nextRequestID &+= 1
                let pullID = pulls.values[pi].id, offset = pulls.values[pi].offsets[index]
                requests[id] = PendingRequest(peer: peer, path: path, pullID: pullID, chunkIndex: index, size: size, skip: skip,
                                              deadline: now + config.requestTimeout)
                bytesInFlight += size
                peers[peer]?.outstandingBytes += size
                pulls.values[pi].queued.removeFirst()
                pulls.values[pi].pending.insert(index)
                queue(.request(ChunkRequest(requestID: id, folderID: config.folderID, path: path, offset: offset,
                                            size: target.chunks[index].size, hash: target.chunks[index].hash,
                                            skip: UInt32(skip))), to: peer)
            }
            if pulls.values[pi].queued.isEmpty { stopWaiting(at: i) } else { i += 1 }
        }
    }

    /// Of the peers that said hello, hold the content (`holders`) and are not `excluded`, the one
    /// with the fewest bytes outstanding (the least device ID among equals); nil when none. One
    /// pass over ``peers``: no filtered copy of the table is built for every request.
    func leastBusyPeer(holders: [String], excluding excluded: Set<String>) -> String? {
        var best: (bytes: Int, peer: String)?
        for (peer, state) in peers where state.helloReceived && !excluded.contains(peer) && holders.contains(peer) {
            if let b = best, (b.bytes, b.peer) <= (state.outstandingBytes, peer) { continue }
            best = (state.outstandingBytes, peer)
        }
        return best?.peer
    }

    /// Removes the `i`-th of ``waitingPulls`` (its pull has nothing left to request, or is gone).
    func stopWaiting(at i: Int) {
        waitingPullSet.remove(waitingPulls.remove(at: i))
    }

    func handleResponse(_ response: ChunkResponse, chunkHash: ContentHash?, from peer: String, now: Instant) {
        guard let r = requests[response.requestID], r.peer == peer else { return }
        requests[response.requestID] = nil
        bytesInFlight -= r.size
        peers[peer]?.outstandingBytes -= r.size
        // The pull is changed in place (through its index), not copied out and stored back: the
        // copy made removing the chunk from its pending set copy the whole set, per chunk.
        guard let pi = pulls.index(forKey: r.path), pulls.values[pi].id == r.pullID else { issueRequests(now: now); return }
        if response.status == .ok {
            let chunk = pulls.values[pi].target.chunks[r.chunkIndex], offset = pulls.values[pi].offsets[r.chunkIndex]
            // A request with a skip answered with the rest only: the old file's bytes go in front.
            let prefixed = r.skip > 0 && response.data.count != Int(chunk.size)
            let data = prefixed ? withAppendPrefix(response.data, r, offset: offset) : response.data
            do throws(AtomicWriterError) {
                guard let data else { throw .hashMismatch(path: r.path.string, offset: offset) }
                // The digest computed off this path is of `response.data`: one with the old
                // file's bytes put in front is hashed here.
                let hash = prefixed ? nil : chunkHash
                if let temp = pulls.values[pi].temp {
                    try writer.write(data, chunk: chunk, at: offset, into: temp, hash: hash)
                } else {
                    try writer.verify(data, chunk: chunk, at: offset, of: r.path, hash: hash)
                    pulls.values[pi].data = data   // the whole file (one chunk): written when the pull finishes
                }
                pulls.values[pi].pending.remove(r.chunkIndex)
                pulls.values[pi].remaining -= 1
            } catch {
                if case .hashMismatch = error, prefixed {
                    // The old file did not end with the chunk's start (not an append): ask for all of it.
                    pulls.values[pi].appendPrefix = nil
                    pulls.values[pi].requeue(r.chunkIndex)
                    markWaiting(r.path)
                } else if case .hashMismatch = error {
                    emit(.pullFailed(r.path, reason: "chunk from \(peer): \(error)"))
                    pulls.values[pi].excludedPeers.insert(peer)   // the peer sent bad data: ask someone else
                    pulls.values[pi].requeue(r.chunkIndex)
                    markWaiting(r.path)
                } else {
                    emit(.pullFailed(r.path, reason: "chunk from \(peer): \(error)"))
                    // A local failure (disk full, permissions): not the peer's fault. Keep the
                    // temp file for resuming, drop the pull, and try again after a backoff.
                    suspend(r.path)
                    failedPulls.insert(r.path)
                    schedulePullRetries(now: now)
                    issueRequests(now: now)
                    return
                }
            }
        } else {
            pulls.values[pi].excludedPeers.insert(peer)
            pulls.values[pi].requeue(r.chunkIndex)
            markWaiting(r.path)
        }
        if pulls.values[pi].remaining == 0 { finishPull(r.path, now: now) }
        issueRequests(now: now)
    }

    /// Places a completed pull: conflict copy or version if needed, fsync, rename, dir fsync, then
    /// the index commit. With a ``FileSyncer`` the fsync runs there, and ``collectSynced(now:)``
    /// does the rest.
    func finishPull(_ path: SyncPath, now: Instant) {
        guard var p = pulls[path], p.remaining == 0 else { return }
        pulls[path] = nil
        defer { if walk != nil { continueWalk(now: now) } }
        // With a syncer the disk is checked once, just before the rename (collectSynced).
        guard syncer != nil || p.revert || diskMatchesIndex(path) else {
            if let temp = p.temp { writer.abandon(temp) }
            return
        }
        if let syncer {
            // Otherwise (the syncer holds enough bytes not yet written) the file is written here.
            if p.temp == nil, let data = p.data,
               syncer.submitWrite(FileWrite(path: p.tempPath, data: data, permissions: p.target.permissions,
                                            mtimeNanoseconds: p.target.mtimeNanoseconds)) {
                p.data = nil
                syncing[p.tempPath] = p
                syncingTargets.insert(path)
                return
            }
            do {
                let temp = try openFilled(&p)
                try writer.prepareForSync(temp, permissions: p.target.permissions, mtimeNanoseconds: p.target.mtimeNanoseconds)
            } catch {
                failPlacing(p, error)
                return
            }
            syncing[p.tempPath] = p
            syncingTargets.insert(path)
            syncer.submit(p.tempPath)
            return
        }
        do {
            try makeRoom(for: p)
            try writer.commit(try openFilled(&p), permissions: p.target.permissions, mtimeNanoseconds: p.target.mtimeNanoseconds)
        } catch {
            failPlacing(p, error)
            return
        }
        var batch = IndexBatch(folderID: config.folderID)
        batch.local = [placed(p)]
        record(batch)
    }

    /// The open temp file of a completed pull: for one whose content waits to be handed over
    /// (``defersWrite(of:)``), created here and filled with it.
    func openFilled(_ p: inout ActivePull) throws(AtomicWriterError) -> TempFile {
        if let temp = p.temp { return temp }
        guard let data = p.data else { preconditionFailure("a completed pull without a temp file holds its content") }
        let temp = try writer.openTemp(for: p.target.path, contentHash: p.target.contentHash, size: p.target.size)
        do { try writer.write(data, chunk: p.target.chunks[0], at: 0, into: temp, hash: p.target.chunks[0].hash) } catch {
            writer.abandon(temp)
            throw error
        }
        p.temp = temp
        p.data = nil
        return temp
    }

    /// Moves what stands at a pull's target aside: a conflict copy of a concurrent local version,
    /// the replaced version when versioning, or an empty directory.
    func makeRoom(for p: ActivePull) throws {
        try makeRoom(for: p, disk: try fs.info(p.target.path.string))
    }

    /// ``makeRoom(for:)`` with what `lstat` shows at the target (`disk`), already looked up.
    func makeRoom(for p: ActivePull, disk: FileInfo?) throws {
        let path = p.target.path
        if p.conflict, let l = localEntry(path, withChunks: false)?.record, disk != nil {
            let copy = ConflictNaming.copyPath(for: path, mtimeNanoseconds: l.mtimeNanoseconds, deviceID: config.localDeviceID)
            try trimConflictCopies(of: path)
            try fs.rename(path.string, to: copy.string)
            emit(.conflict(path: path, copy: copy))
        } else if config.versioning, let d = disk, d.kind == .file {
            try moveToVersions(path.string)
        } else if let d = disk, d.kind == .directory {
            try fs.remove(path.string)   // only an empty directory; otherwise retried later
        }
    }

    /// The local entry of a pull just placed (and the retry state it clears).
    func placed(_ p: ActivePull) -> LocalEntry { placed(p, state: currentState(p.target.path)) }

    /// ``placed(_:)`` with what `lstat` showed at the target right after the rename (`state`).
    func placed(_ p: ActivePull, state: LocalFileState?) -> LocalEntry {
        pullRetryBackoff[p.target.path] = nil
        revertRequested.remove(p.target.path)
        return LocalEntry(record: p.target, state: state)
    }

    /// Reports a pull that failed at placement (with `reason` when known better than `error`);
    /// its temp file stays for a retry to resume.
    func failPlacing(_ p: ActivePull, _ error: any Error, reason: String? = nil) {
        emit(.pullFailed(p.target.path, reason: reason ?? "\(error)"))
        p.temp?.close()
        failedPulls.insert(p.target.path)
    }

    /// Removes the oldest conflict copies of `path` so at most `maxConflictCopies - 1` remain.
    func trimConflictCopies(of path: SyncPath) throws(FileSystemError) {
        let dir = path.parent?.string ?? ""
        let copies = try fs.list(dir).filter { ConflictNaming.isCopy($0, of: path.name) }.sorted()
        guard copies.count >= config.maxConflictCopies else { return }
        for name in copies.prefix(copies.count - config.maxConflictCopies + 1) {
            try fs.remove(dir.isEmpty ? name : dir + "/" + name)
        }
    }
}
