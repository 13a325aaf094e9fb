import SyncFS
import SyncProtocol
import WireKit

extension FolderEngine {
    /// Places the pulls the ``FileSyncer`` has made durable: each is renamed over its target
    /// (unless the global version or the file on disk moved on meanwhile), each directory that
    /// received one is made durable, then one index commit records them.
    ///
    /// When the syncer takes directories (``FileSyncer/submitDirectories(_:)``), nothing here
    /// waits on the disk: the renamed pulls wait in ``placing`` while the syncer's next round
    /// makes their directories durable (one `syncfs` with the next files' data), and a later
    /// call commits them as the syncer reports each directory. Otherwise the directories are
    /// fsynced here (``FileSyncer/syncDirectories(_:fs:)``) before the commit. Either way the
    /// order is data durable, rename, directory durable, index commit.
    ///
    /// Handles everything the syncer reported, slice after slice (``collectSyncedSlice(now:)``).
    public func collectSynced(now: Instant) {
        while collectSyncedSlice(now: now) {}
    }

    /// ``collectSynced(now:)`` for one slice: the syncer's results in the order it reported them,
    /// up to ``FolderConfig/placingSliceEntries`` pulls placed or entries committed (at least one
    /// result). Each slice is complete on its own (its renames, then its directories' flush,
    /// then its commit), so frames handled between two slices see a consistent engine, and a
    /// crash between them leaves every file old or new. True when results remain: the caller
    /// calls again (after handling what waits meanwhile).
    @discardableResult
    public func collectSyncedSlice(now: Instant) -> Bool {
        guard let syncer, !syncing.isEmpty || placingCount > 0 || !syncedBacklog.isEmpty else { return false }
        clock = max(clock, now)
        syncedBacklog.append(contentsOf: syncer.takeFinished())
        guard !syncedBacklog.isEmpty else { return false }
        let done = takeSyncedSlice()
        var renamed: [(pull: ActivePull, directory: String, state: LocalFileState?)] = []
        var durableDirectories: [FileSyncResult] = []
        var superseded = false
        for r in done {
            if r.isDirectory {
                durableDirectories.append(r)
                continue
            }
            guard let p = syncing.removeValue(forKey: r.path) else { continue }
            let path = p.target.path
            syncingTargets.remove(path)
            if let error = r.error {
                // A file the syncer wrote (no temp file was made before): its parent, not looked
                // at so far, may be why (missing, or a symlink PeerSync never writes through).
                failPlacing(p, error, reason: p.temp == nil ? unusableParent(of: path) : nil)
                continue
            }
            // The global version is looked up again only if a peer's record of the path changed.
            let g = syncingRecheck.remove(path) == nil ? p.target : globalRecord(path)
            guard let g, !g.deleted, g.kind == .file, g.contentHash == p.target.contentHash else {
                try? fs.remove(p.tempPath)   // superseded while it was flushed; a new pull pass sees to the path
                superseded = true
                continue
            }
            switch place(p) {
            case .placed(let state): renamed.append((p, path.parent?.string ?? "", state))
            case .superseded:
                try? fs.remove(p.tempPath)
                superseded = true
            case .failed: break
            }
        }
        var batch = IndexBatch(folderID: config.folderID)
        if commitDurablePlacings(durableDirectories, into: &batch) { superseded = true }
        var dirs: [String] = []
        var seen: Set<String> = []
        for r in renamed where seen.insert(r.directory).inserted { dirs.append(r.directory) }
        if !dirs.isEmpty && syncer.submitDirectories(dirs) {
            holdUntilDurable(renamed.map { (placed($0.pull, state: $0.state), $0.directory) }, directories: dirs)
        } else {
            // Each directory that received a file is fsynced once (by the syncer: all at once).
            let failedDirs = syncer.syncDirectories(dirs, fs: fs)
            var reported: Set<String> = []
            for r in renamed {
                if let error = failedDirs[r.directory] {
                    // Placed but not known durable: left out of the index, so a crash cannot leave
                    // the index ahead of the disk; the next scan adopts the file.
                    if reported.insert(r.directory).inserted { emit(.pullFailed(r.pull.target.path, reason: "\(error)")) }
                    continue
                }
                batch.local.append(placed(r.pull, state: r.state))
            }
        }
        record(batch)
        if superseded { pullPass(now: now) } else if walk != nil { continueWalk(now: now) } else { schedulePullRetries(now: now) }
        return !syncedBacklog.isEmpty
    }

    /// Whether results taken from the syncer still wait to be handled (``collectSyncedSlice(now:)``).
    public var hasSyncedBacklog: Bool { !syncedBacklog.isEmpty }

    /// Takes the oldest results of ``syncedBacklog`` worth ``FolderConfig/placingSliceEntries``:
    /// a file counts one, a directory the entries of its oldest waiting group (committed with it).
    func takeSyncedSlice() -> ArraySlice<FileSyncResult> {
        var end = 0, entries = 0
        let limit = max(1, config.placingSliceEntries)
        while end < syncedBacklog.count && entries < limit {
            let r = syncedBacklog[end]
            entries += r.isDirectory ? max(1, placing[r.path]?.first?.count ?? 0) : 1
            end += 1
        }
        let slice = syncedBacklog[..<end]
        if end == syncedBacklog.count { syncedBacklog = [] } else { syncedBacklog.removeFirst(end) }
        return slice
    }

    /// How ``place(_:)`` ended.
    enum Placement {
        /// Renamed over its target; what `lstat` showed there right after.
        case placed(LocalFileState?)
        /// The file on disk changed since the index last recorded it: not renamed.
        case superseded
        /// Moving aside what stood there, or the rename, failed (reported).
        case failed
    }

    /// Renames a durable pull over its target unless the disk no longer shows what the index
    /// last recorded there (a change not scanned yet is never overwritten). Where the index
    /// holds nothing (most of an initial sync), the rename itself refuses a taken path
    /// (``AtomicWriter/placeNew(_:at:)``): no `lstat` before it, and the one after it is
    /// made in the same directory; otherwise the target is looked at, then moved aside if it
    /// must be (a conflict copy, a version), then replaced.
    func place(_ p: ActivePull) -> Placement {
        let path = p.target.path
        serveHandles.close(path)
        if !p.revert, localEntry(path, withChunks: false).map({ $0.record.deleted }) ?? true {
            do {
                let info = try writer.placeNew(p.tempPath, at: path)
                return .placed(info.flatMap { LocalFileState($0) })
            } catch {
                if case .fileSystem(let e) = error, e.code == FileSystemError.exists {
                    if occupiedNewPaths.count >= Self.occupiedNewPathsLimit { occupiedNewPaths.removeAll() }
                    occupiedNewPaths.insert(path)
                    return .superseded
                }
                failPlacing(p, error)
                return .failed
            }
        }
        let disk = (try? fs.info(path.string)) ?? nil
        guard p.revert || diskMatchesIndex(path, disk: disk) else { return .superseded }
        do {
            try makeRoom(for: p, disk: disk)
            try writer.place(p.tempPath, over: path)
        } catch {
            failPlacing(p, error)
            return .failed
        }
        return .placed(currentState(path))
    }

    /// Keeps `entries` (each with the directory it was placed in) in ``placing`` until the syncer
    /// reports their directory durable: one group per directory of `directories`, which were just
    /// submitted to the syncer in this order. Their paths are not pulled again meanwhile, and the
    /// state `lstat` shows now marks their on-disk entry as the engine's own.
    func holdUntilDurable(_ entries: [(LocalEntry, String)], directories: [String]) {
        var groups: [String: [LocalEntry]] = [:]
        for (entry, dir) in entries {
            if let state = entry.state { placingStates[entry.record.path] = state }
            syncingTargets.insert(entry.record.path)   // not pulled again before its commit
            groups[dir, default: []].append(entry)
        }
        for dir in directories {
            let group = groups[dir] ?? []
            placing[dir, default: []].append(group)
            placingCount += group.count
        }
    }

    /// Moves the oldest waiting group of each directory the syncer reports durable into `batch`
    /// (a directory whose flush failed leaves its group out of the index: the files stay on
    /// disk and the next scan adopts them). True when a peer's record of one of them changed
    /// meanwhile (a pull pass should look at it again).
    func commitDurablePlacings(_ results: [FileSyncResult], into batch: inout IndexBatch) -> Bool {
        var recheck = false
        for r in results {
            guard var groups = placing[r.path], !groups.isEmpty else { continue }
            let group = groups.removeFirst()
            placing[r.path] = groups.isEmpty ? nil : groups
            placingCount -= group.count
            for e in group {
                syncingTargets.remove(e.record.path)
                placingStates[e.record.path] = nil
                if syncingRecheck.remove(e.record.path) != nil { recheck = true }
            }
            if let error = r.error {
                if let first = group.first { emit(.pullFailed(first.record.path, reason: "\(error)")) }
                continue
            }
            batch.local.append(contentsOf: group)
        }
        return recheck
    }
}
