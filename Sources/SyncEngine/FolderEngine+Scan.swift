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
        let present = local.values.filter { !$0.record.deleted }.map(\.record.path)
        let result = scanner.scan(known: { [local] p in local[p].flatMap { $0.record.deleted ? nil : $0.state } }, knownPaths: present)
        summary.hashedBytes = result.hashedBytes
        summary.invalidNames = result.invalidNames.count
        var batch = IndexBatch(folderID: config.folderID)
        var flagged: Set<SyncPath> = []
        var newSequence = sequence
        for e in result.changed {
            let old = local[e.path]
            guard let record = newRecord(for: e, old: old?.record) else {
                // Only the on-disk state moved (inode/ctime): remember it, keep the version.
                if let o = old { batch.local.append(LocalEntry(record: o.record, state: e.state)) }
                continue
            }
            if config.mode == .receiveOnly && record.version != globalRecord(e.path)?.version {
                flagged.insert(e.path); continue
            }
            var r = record
            if r.version != old?.record.version || old?.record.deleted != false || !(old?.record.sameContent(as: r) ?? false) {
                newSequence += 1
                r.sequence = newSequence
            }
            batch.local.append(LocalEntry(record: r, state: e.state))
        }
        for p in result.missing {
            guard let old = local[p], !old.record.deleted else { continue }
            if config.mode == .receiveOnly { flagged.insert(p); continue }
            var r = old.record
            r.deleted = true; r.size = 0; r.chunks = []; r.contentHash = .zero; r.symlinkTarget = ""
            r.version = old.record.version.incremented(by: shortID)
            r.modifiedBy = shortID
            newSequence += 1
            r.sequence = newSequence
            batch.local.append(LocalEntry(record: r, state: nil))
        }
        if config.mode == .receiveOnly {
            if flagged != receiveOnlyChanged && !flagged.isEmpty { emit(.receiveOnlyChanges(count: flagged.count)) }
            receiveOnlyChanged = flagged
        }
        cleanTempFiles(result.tempFiles)
        guard commit(batch) else { return summary }
        for e in batch.local {
            let changed = local[e.record.path]?.record.sequence != e.record.sequence
            local[e.record.path] = e
            if changed { summary.recorded += 1; emit(.localChanged(e.record.path)) }
        }
        sequence = newSequence
        announce()
        pullPass(now: now)
        return summary
    }

    /// Deletes temp files that no current need would resume (left by a crash or a superseded pull).
    func cleanTempFiles(_ temps: [String]) {
        guard !temps.isEmpty else { return }
        var wanted = Set(pulls.values.map(\.temp.path))
        for n in computeNeeds() {
            if let g = n.global, g.kind == .file, !g.deleted { wanted.insert(AtomicWriter.tempPath(for: n.path, contentHash: g.contentHash)) }
        }
        for t in temps where !wanted.contains(t) { try? fs.remove(t) }
    }

    /// True when the folder marker is present (creating it for a folder with no local entries yet).
    func checkMarker() -> Bool {
        let marker = try? fs.info(PathPolicy.stateDirectoryName)
        if marker?.kind == .directory { markerMissing = false; return true }
        if local.values.contains(where: { !$0.record.deleted }) {
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
        if let g = globalRecord(e.path), !g.deleted, g.sameContent(as: candidate), g.mtimeNanoseconds == candidate.mtimeNanoseconds {
            return g
        }
        candidate.version = (old?.version ?? VersionVector()).incremented(by: shortID)
        return candidate
    }

    /// In a receive-only folder: throws away local changes, restoring the global versions
    /// (and removing files that exist only locally) on the next pull.
    public func revertLocalChanges(now: Instant) {
        guard config.mode == .receiveOnly else { return }
        revertRequested = receiveOnlyChanged
        receiveOnlyChanged = []
        pullPass(now: now)
    }
}
