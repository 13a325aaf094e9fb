import SyncFS
import SyncProtocol
import WireKit

extension FolderEngine {
    /// Summary of one scan.
    public struct ScanSummary: Sendable, Equatable {
        /// Local records created or changed.
        public var recorded = 0
        /// Bytes hashed.
        public var hashedBytes: UInt64 = 0
        /// Entries skipped because their names break the path policy.
        public var invalidNames = 0
    }

    /// Scans the folder to the end, recording local changes (new versions) and announcing each
    /// committed batch, then pulls (``beginScan(now:)`` and ``continueScan(now:)`` in one call;
    /// a scan already under way is finished). Returns what the scan did.
    ///
    /// A folder whose marker directory vanished is not scanned: an unmounted disk must not
    /// look like "everything was deleted".
    @discardableResult
    public func scan(now: Instant) -> ScanSummary {
        guard beginScan(now: now) else { return ScanSummary() }
        while continueScan(now: now) {}
        return lastScanSummary
    }

    /// Starts a scan to be taken a step at a time with ``continueScan(now:)`` (between steps
    /// the engine handles frames as usual: committed batches are announced and served while the
    /// rest of the folder is read). A scan already under way goes on. False when the folder
    /// cannot be scanned (its marker is missing).
    @discardableResult
    public func beginScan(now: Instant) -> Bool {
        clock = max(clock, now)
        guard scanSession == nil else { return true }
        serveHandles.closeAll()   // nothing read before a scan is served through a handle kept from then
        retryPullsNow()   // a scan (the user's rescan among them) retries failed pulls at once
        guard checkMarker() else { return false }
        scanSession = ScanSession(cursor: ScanCursor(scanner: scanner), announcedUpTo: sequence)
        return true
    }

    /// Takes one step of the scan under way: walks and hashes the next batch (a few dozen files
    /// at first, then up to ``Scanner/hashBatchFiles`` files or ``scanStepBytes`` bytes), or
    /// checks the next ``scanStepEntries`` known paths for deletions; commits what it found and announces
    /// it to ready peers once enough waits. The last step announces the rest and pulls what is
    /// needed. True while the scan has more to do. (A peer that connects meanwhile is sent
    /// everything committed so far.) ``walkScanStep(now:)``, ``ScanBatch/hash()`` and
    /// ``finishScanStep(_:now:)`` take a walking step in three parts.
    public func continueScan(now: Instant) -> Bool {
        clock = max(clock, now)
        guard var s = scanSession else { return false }
        precondition(s.touched == nil, "continueScan while a scan step is being hashed")
        if s.missing == nil {
            if var batch = walkScanStep(now: now) {
                batch.hash()
                return finishScanStep(batch, now: now)
            }
            s = scanSession ?? s
            return endScanStep(IndexBatch(folderID: config.folderID), done: false, session: &s, now: now)
        }
        var batch = IndexBatch(folderID: config.folderID)
        var newSequence = sequence
        var done = false
        var checked = 0
        while checked < min(config.indexBatchRecords, Self.scanStepEntries) {
            guard let p = s.missing?.next() else { done = true; break }
            checked += 1
            if s.cursor.isMissing(p) { record(.missing(p), into: &batch, sequence: &newSequence, session: &s) }
        }
        return endScanStep(batch, done: done, session: &s, now: now)
    }

    /// Walks the next batch of the scan under way, to be hashed (on another thread when
    /// ``ScanBatch/canHashElsewhere``, while the engine handles frames as usual) and handed to
    /// ``finishScanStep(_:now:)`` before any other scan step is taken. Nil when the step has
    /// nothing to hash (the walk is done, or no scan runs): take it with ``continueScan(now:)``.
    /// A walk looks at no more than ``scanStepEntries`` names (a rescan of an unchanged folder
    /// takes many short steps, not one over the whole folder).
    public func walkScanStep(now: Instant) -> ScanBatch? {
        clock = max(clock, now)
        guard var s = scanSession, s.missing == nil else { return nil }
        precondition(s.touched == nil, "a scan step is already being hashed")
        let maxFiles = min(scanner.hashBatchFiles, Self.firstScanStepFiles << min(s.steps, 16))
        // A pulled file renamed into place whose index commit waits for its directory's flush
        // is known by the state it had then (its commit records it; no rehash meanwhile).
        let known = { [self] (p: SyncPath) in placingStates[p] ?? localEntry(p, withChunks: false).flatMap { $0.record.deleted ? nil : $0.state } }
        guard let batch = s.cursor.walk(maxFiles: maxFiles, maxBytes: Self.scanStepBytes, maxEntries: Self.scanStepEntries, known: known) else {
            s.missing = LocalPathPages(engine: self)
            scanSession = s
            return nil
        }
        s.touched = []
        s.placingAtWalk = [:]
        for p in batch.paths { if let state = placingStates[p] { s.placingAtWalk[p] = state } }
        scanSession = s
        return batch
    }

    /// Records and commits a batch from ``walkScanStep(now:)`` once hashed, announces as
    /// ``continueScan(now:)`` does; true while the scan has more to do. Paths the engine
    /// committed, or began placing, while the batch was hashed are left out and walked again
    /// later (the walk saw them before the engine's change).
    public func finishScanStep(_ batch: ScanBatch, now: Instant) -> Bool {
        clock = max(clock, now)
        guard var s = scanSession, let touched = s.touched else { preconditionFailure("finishScanStep without a walked step") }
        s.touched = nil
        scanSession = s
        // Placing begun (or moved on) since the walk: the walk saw the path before the rename.
        let placing = batch.paths.filter { placingStates[$0] != s.placingAtWalk[$0] }
        s.placingAtWalk = [:]
        let entries = s.cursor.finish(batch, walkAgain: placing.isEmpty ? touched : touched.union(placing))
        var indexBatch = IndexBatch(folderID: config.folderID)
        var newSequence = sequence
        for e in entries { record(.changed(e), into: &indexBatch, sequence: &newSequence, session: &s) }
        return endScanStep(indexBatch, done: false, session: &s, now: now)
    }

    /// The end of every scan step: commits `batch`, announces, and at the end of the scan
    /// (`done`, or a failed commit) pulls what is needed. True while the scan has more to do.
    private func endScanStep(_ batch: IndexBatch, done finished: Bool, session s: inout ScanSession, now: Instant) -> Bool {
        var done = finished
        s.steps += 1
        // Commits in pages of `indexBatchRecords` (a step may gather more).
        for start in stride(from: 0, to: batch.local.count, by: config.indexBatchRecords) {
            var page = IndexBatch(folderID: config.folderID)
            page.local = Array(batch.local[start..<min(batch.local.count, start + config.indexBatchRecords)])
            let pageSequence = page.local.map(\.record.sequence).max() ?? sequence
            commitScanned(page, upTo: pageSequence, session: &s)
        }
        s.summary.hashedBytes = s.cursor.result.hashedBytes
        s.summary.invalidNames = s.cursor.result.invalidNames.count
        if !s.committed { done = true }   // the index cannot take what the scan finds: stop here
        // Announced once ``announceBatch`` new records wait, and then when as many wait as were
        // announced before: each announcement starts a pull pass on the peer, which walks its
        // needs, so a scan of n files starts O(log n) of them (a rescan that finds a few hundred
        // changes, one), and the peer always has the last batch's files to pull while the next
        // one is read.
        let fresh = sequence - s.announcedUpTo
        if done || fresh >= max(Self.announceBatch, s.announcedRecords) {
            announce()
            s.announcedRecords += fresh
            s.announcedUpTo = sequence
        }
        guard done else { scanSession = s; return true }
        scanSession = nil
        freshIndexPaths = nil
        lastScanSummary = s.summary
        if config.mode == .receiveOnly {
            if s.flagged != receiveOnlyChanged && !s.flagged.isEmpty { emit(.receiveOnlyChanges(count: s.flagged.count)) }
            receiveOnlyChanged = s.flagged
        }
        cleanTempFiles(s.cursor.result.tempFiles)
        if s.committed { pullPass(now: now) }
        return false
    }

    /// Commits one page of scanned entries, whose sequence numbers run up to `pageSequence`.
    /// On failure the sequence numbers are given out again and the scan ends without a pull.
    func commitScanned(_ page: IndexBatch, upTo pageSequence: UInt64, session s: inout ScanSession) {
        noteBuffered(page.local.count)
        let changed = page.local.map { localEntry($0.record.path, withChunks: false)?.record.sequence != $0.record.sequence }
        if s.committed, commit(page) {
            for (e, c) in zip(page.local, changed) where c { s.summary.recorded += 1; emit(.localChanged(e.record.path)) }
            sequence = max(sequence, pageSequence)
            cachedNeedSummary = nil
        } else {
            s.committed = false   // later pages reuse the numbers (the next scan records them)
        }
    }

    /// Adds what one scanned item changes to `batch`, numbering new versions from `newSequence`.
    func record(_ item: ScanItem, into batch: inout IndexBatch, sequence newSequence: inout UInt64, session s: inout ScanSession) {
        switch item {
        case .changed(let e):
            // Still as the engine left it (a directory applied from a peer whose parent's flush
            // is pending: its mtime moves as pulls land in it); its commit records it, and a
            // later scan compares to that.
            if matchesPlacing(e.path, e.state) == true { return }
            let old = localEntry(e.path)
            guard let record = newRecord(for: e, old: old?.record) else {
                // Only the on-disk state moved (inode/ctime): remember it, keep the version.
                if let o = old { batch.local.append(LocalEntry(record: o.record, state: e.state)) }
                return
            }
            if config.mode == .receiveOnly && record.version != globalRecord(e.path)?.version {
                s.flagged.insert(e.path); return
            }
            var r = record
            if r.version != old?.record.version || old?.record.deleted != false || !(old?.record.sameContent(as: r) ?? false) {
                newSequence += 1
                r.sequence = newSequence
            }
            batch.local.append(LocalEntry(record: r, state: e.state))
        case .missing(let p):
            guard let old = localEntry(p, withChunks: false), !old.record.deleted else { return }
            if config.mode == .receiveOnly { s.flagged.insert(p); return }
            var r = old.record
            r.deleted = true; r.size = 0; r.chunks = []; r.contentHash = .zero; r.symlinkTarget = ""
            r.version = old.record.version.incremented(by: shortID)
            r.modifiedBy = shortID
            newSequence += 1
            r.sequence = newSequence
            batch.local.append(LocalEntry(record: r, state: nil))
        }
    }

    /// Deletes temp files that no current need would resume (left by a crash or a superseded pull).
    func cleanTempFiles(_ temps: [String]) {
        guard !temps.isEmpty else { return }
        let active = Set(pulls.values.map(\.tempPath)).union(syncing.keys)
        for t in temps where !active.contains(t) {
            // The temp name holds the target's name and a content-hash prefix: keep it while the
            // target's global version is that content and we do not have it yet.
            let dir = SyncPath(t).parent
            let name = SyncPath(t).name.dropFirst(PathPolicy.tempPrefix.count)
            var wanted = false
            if let dash = name.lastIndex(of: "-") {
                let targetName = String(name[..<dash])
                let target = dir.map { $0.appending(targetName) } ?? SyncPath(targetName)
                if let g = globalRecord(target), g.kind == .file, !g.deleted, AtomicWriter.tempPath(for: target, contentHash: g.contentHash) == t,
                   localEntry(target, withChunks: false)?.record.version != g.version {
                    wanted = true
                }
            }
            if !wanted { try? fs.remove(t) }
        }
    }

    /// True when the folder marker is present (creating it for a folder with no local entries yet).
    func checkMarker() -> Bool {
        let marker = try? fs.info(PathPolicy.stateDirectoryName)
        if marker?.kind == .directory { markerMissing = false; return true }
        if ((try? store.localCounts(folderID: config.folderID).entries) ?? 0) > 0 {
            if !markerMissing { emit(.folderMarkerMissing) }
            markerMissing = true
            return false
        }
        do { try fs.makeDirectory(PathPolicy.stateDirectoryName, permissions: 0o700) } catch {
            emit(.pullFailed(SyncPath(PathPolicy.stateDirectoryName), reason: "cannot create the folder marker: \(error)"))
            return false
        }
        markerMissing = false
        return true
    }

    /// The record a scanned entry becomes; nil when nothing but inode/ctime changed.
    func newRecord(for e: ScannedEntry, old: FileRecord?) -> FileRecord? {
        let kind = e.state.kind
        let chunks = kind == .file ? (e.chunks ?? old?.chunks ?? []) : []
        var candidate = FileRecord(
            path: e.path, kind: kind, size: kind == .file ? e.state.size : 0,
            permissions: kind == .symlink ? 0o777 : e.state.permissions,
            mtimeNanoseconds: kind == .file ? e.state.mtimeNanoseconds : 0, modifiedBy: shortID,
            contentHash: kind == .file ? SHA256Hasher.contentHash(of: chunks) : .zero,
            chunks: chunks, symlinkTarget: kind == .symlink ? e.state.symlinkTarget : "")
        if let o = old, !o.deleted, o.sameContent(as: candidate), o.mtimeNanoseconds == candidate.mtimeNanoseconds {
            return nil
        }
        // The content is what the global version says (a pull committed to disk but not to the
        // index before a crash, or the same edit made on both sides): adopt that version.
        // (Only when some peer has announced records: otherwise the global version is `old`,
        // handled above, and the look-up cost a first scan one index read per file.)
        // (`old` is the local side of it: only the peers' records are read.)
        if hasRemoteRecords, let g = Self.winner(local: old, remote: remoteRecords(e.path)), !g.deleted, g.sameContent(as: candidate),
           g.mtimeNanoseconds == candidate.mtimeNanoseconds {
            return g
        }
        candidate.version = (old?.version ?? VersionVector()).incremented(by: shortID)
        return candidate
    }

    /// True when any peer's records are in the index (``remoteCounts`` counts them per peer).
    var hasRemoteRecords: Bool { remoteCounts.values.contains { $0.records > 0 } }

    /// In a receive-only folder: throws away local changes, restoring the global versions
    /// (and removing files that exist only locally) on the next pull.
    public func revertLocalChanges(now: Instant) {
        guard config.mode == .receiveOnly else { return }
        revertRequested = receiveOnlyChanged
        receiveOnlyChanged = []
        pullPass(now: now)
    }
}
