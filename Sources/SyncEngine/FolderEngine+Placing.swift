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
    public func collectSynced(now: Instant) {
        guard let syncer, !syncing.isEmpty || placingCount > 0 else { return }
        clock = max(clock, now)
        let done = syncer.takeFinished()
        guard !done.isEmpty else { return }
        var renamed: [(ActivePull, String)] = []
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
            let disk = (try? fs.info(path.string)) ?? nil
            guard let g, !g.deleted, g.kind == .file, g.contentHash == p.target.contentHash,
                  p.revert || diskMatchesIndex(path, disk: disk) else {
                try? fs.remove(p.tempPath)   // superseded while it was flushed; a new pull pass sees to the path
                superseded = true
                continue
            }
            do {
                try makeRoom(for: p, disk: disk)
                try writer.place(p.tempPath, size: p.target.size, over: path)
            } catch {
                failPlacing(p, error)
                continue
            }
            renamed.append((p, path.parent?.string ?? ""))
        }
        var batch = IndexBatch(folderID: config.folderID)
        if commitDurablePlacings(durableDirectories, into: &batch) { superseded = true }
        var dirs: [String] = []
        var seen: Set<String> = []
        for (_, dir) in renamed where seen.insert(dir).inserted { dirs.append(dir) }
        if !dirs.isEmpty && syncer.submitDirectories(dirs) {
            holdUntilDurable(renamed.map { (placed($0.0), $0.1) }, directories: dirs)
        } else {
            // Each directory that received a file is fsynced once (by the syncer: all at once).
            let failedDirs = syncer.syncDirectories(dirs, fs: fs)
            var reported: Set<String> = []
            for (p, dir) in renamed {
                if let error = failedDirs[dir] {
                    // Placed but not known durable: left out of the index, so a crash cannot leave
                    // the index ahead of the disk; the next scan adopts the file.
                    if reported.insert(dir).inserted { emit(.pullFailed(p.target.path, reason: "\(error)")) }
                    continue
                }
                batch.local.append(placed(p))
            }
        }
        record(batch)
        if superseded { pullPass(now: now) } else if walk != nil { continueWalk(now: now) } else { schedulePullRetries(now: now) }
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
