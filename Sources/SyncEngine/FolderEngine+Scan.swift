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

    /// Scans the folder, records local changes (new versions), announces them, then pulls.
    ///
    /// A folder whose marker directory vanished is not scanned: an unmounted disk must not
    /// look like "everything was deleted".
    @discardableResult
    public func scan(now: Instant) -> ScanSummary {
        var summary = ScanSummary()
        retryPullsNow()   // a scan (the user's rescan among them) retries failed pulls at once
        guard checkMarker() else { return summary }
        var batch = IndexBatch(folderID: config.folderID)
        var flagged: Set<SyncPath> = []
        var newSequence = sequence
        var committed = true
        /// Commits what the scan gathered so far (pages of ``FolderConfig/indexBatchRecords``).
        func flush() {
            guard !batch.local.isEmpty else { return }
            noteBuffered(batch.local.count)
            let changed = batch.local.map { localEntry($0.record.path, withChunks: false)?.record.sequence != $0.record.sequence }
            if commit(batch) {
                for (e, c) in zip(batch.local, changed) where c { summary.recorded += 1; emit(.localChanged(e.record.path)) }
                sequence = newSequence
                cachedNeedSummary = nil
            } else {
                committed = false
                newSequence = sequence
            }
            batch.local.removeAll(keepingCapacity: true)
        }
        // A pulled file renamed into place whose index commit waits for its directory's flush
        // is known by the state it had then (its commit records it; no rehash meanwhile).
        let result = scanner.scan(known: { [self] p in placingStates[p] ?? localEntry(p, withChunks: false).flatMap { $0.record.deleted ? nil : $0.state } },
                                  knownPaths: LocalPathPages(engine: self)) { item in
            switch item {
            case .changed(let e):
                // A directory applied from a peer whose parent's flush is pending: its mtime moves
                // as pulls land in it; its commit records it, and a later scan compares to that.
                if e.state.kind == .directory, placingStates[e.path]?.kind == .directory { break }
                let old = localEntry(e.path)
                guard let record = newRecord(for: e, old: old?.record) else {
                    // Only the on-disk state moved (inode/ctime): remember it, keep the version.
                    if let o = old { batch.local.append(LocalEntry(record: o.record, state: e.state)) }
                    break
                }
                if config.mode == .receiveOnly && record.version != globalRecord(e.path)?.version {
                    flagged.insert(e.path); break
                }
                var r = record
                if r.version != old?.record.version || old?.record.deleted != false || !(old?.record.sameContent(as: r) ?? false) {
                    newSequence += 1
                    r.sequence = newSequence
                }
                batch.local.append(LocalEntry(record: r, state: e.state))
            case .missing(let p):
                guard let old = localEntry(p, withChunks: false), !old.record.deleted else { break }
                if config.mode == .receiveOnly { flagged.insert(p); break }
                var r = old.record
                r.deleted = true; r.size = 0; r.chunks = []; r.contentHash = .zero; r.symlinkTarget = ""
                r.version = old.record.version.incremented(by: shortID)
                r.modifiedBy = shortID
                newSequence += 1
                r.sequence = newSequence
                batch.local.append(LocalEntry(record: r, state: nil))
            }
            if batch.local.count >= config.indexBatchRecords { flush() }
        }
        flush()
        summary.hashedBytes = result.hashedBytes
        summary.invalidNames = result.invalidNames.count
        if config.mode == .receiveOnly {
            if flagged != receiveOnlyChanged && !flagged.isEmpty { emit(.receiveOnlyChanges(count: flagged.count)) }
            receiveOnlyChanged = flagged
        }
        cleanTempFiles(result.tempFiles)
        guard committed else { return summary }
        announce()
        pullPass(now: now)
        return summary
    }

    /// Deletes temp files that no current need would resume (left by a crash or a superseded pull).
    func cleanTempFiles(_ temps: [String]) {
        guard !temps.isEmpty else { return }
        let active = Set(pulls.values.map(\.temp.path)).union(syncing.keys)
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
        if hasRemoteRecords, let g = globalRecord(e.path), !g.deleted, g.sameContent(as: candidate),
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
