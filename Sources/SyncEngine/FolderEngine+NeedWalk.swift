import SyncFS
import SyncProtocol
import WireKit

/// Where a pull pass stands in its walk over the need candidates (read from the store in pages).
///
/// A page is read once, without chunk lists, and its candidates are kept until handled: the walk
/// is resumed each time a pull finishes, and re-reading a page then made a sync quadratic in the
/// folder's size. What is applied is never older than the index: just before a path is acted on,
/// its local entry is taken from the engine's entry cache if a commit put it there since (or
/// read again if the cache lost entries meanwhile, ``FolderEngine/entryCacheEpoch``), and its
/// peers' records are read again if any peer's records were committed since the page was read
/// (``FolderEngine/remoteGeneration``); a file to pull gets its chunk list then.
struct NeedWalk {
    /// The last candidate path read; the next page starts after it.
    var after: SyncPath?
    /// Candidates read and not yet handled (one page at most), their records without chunk lists.
    var candidates: [NeedCandidate] = []
    /// The next of ``candidates`` to handle.
    var head = 0
    /// True once a short page showed there is nothing after ``after``.
    var lastPage = false
    /// ``FolderEngine/remoteGeneration`` when the page was read.
    var remoteGeneration: UInt64 = 0
    /// ``FolderEngine/entryCacheEpoch`` when the page was read.
    var entryCacheEpoch: UInt64 = 0
    /// Most candidates the next page reads. A walk starts small and doubles up to
    /// ``FolderConfig/indexBatchRecords``: a pass restarts the walk from the first path whenever
    /// an index brings needs (during an initial sync, every few milliseconds) while the first
    /// candidates are mostly pulls already running, so a full first page read up to a thousand
    /// rows (~8 ms) to start the few pulls one finished pull makes room for.
    var pageLimit = 0
}

extension FolderEngine {
    struct Need {
        var path: SyncPath
        var global: FileRecord?
        var local: FileRecord?
        var revert: Bool
    }

    /// The need a candidate stands for, or nil when our version is the global one or the global
    /// version deletes a path we never had (nothing to delete; adopting such tombstones would let
    /// a peer make us store and re-announce any number of paths we never held).
    func need(_ c: NeedCandidate) -> Need? {
        guard let g = Self.winner(local: c.local?.record, remote: c.remote) else { return nil }
        if let l = c.local?.record, l.version.compare(g.version) == .equal { return nil }
        if g.deleted && c.local == nil { return nil }
        return Need(path: c.path, global: g, local: c.local?.record, revert: false)
    }

    /// One page of candidates after `after` (before it when `descending`), or nil on a read error (reported).
    func candidatePage(after: SyncPath?, descending: Bool, withChunks: Bool = true, limit: Int? = nil) -> [NeedCandidate]? {
        readPage {
            try store.needCandidates(folderID: config.folderID, after: after, descending: descending,
                                     limit: limit ?? config.indexBatchRecords, withChunks: withChunks)
        }
    }

    /// One page of candidates from `read`, counted in the buffered high-water mark; nil (and a
    /// ``SyncEvent/pullFailed(_:reason:)`` event) when the index can't be read.
    func readPage(_ read: () throws -> [NeedCandidate]) -> [NeedCandidate]? {
        do {
            let page = try read()
            noteBuffered(page.count)
            return page
        } catch {
            emit(.pullFailed(SyncPath(""), reason: "index read failed: \(error)"))
            return nil
        }
    }

    /// Visits every need in path order, one page of candidates in memory at a time (their
    /// records without chunk lists unless `withChunks`).
    func forEachNeed(descending: Bool = false, withChunks: Bool = true, _ body: (Need) -> Void) {
        visitNeeds(descending: descending, withChunks: withChunks) { n in body(n); return true }
    }

    /// Visits needs in path order until `body` returns false.
    /// `pageSize` candidates are read at a time (small when the walk is likely to stop early).
    func visitNeeds(descending: Bool = false, withChunks: Bool = true, pageSize: Int? = nil, _ body: (Need) -> Bool) {
        let limit = pageSize ?? config.indexBatchRecords
        var after: SyncPath?
        while let page = candidatePage(after: after, descending: descending, withChunks: withChunks, limit: limit), !page.isEmpty {
            for c in page { if let n = need(c), !body(n) { return } }
            after = page.last?.path
            if page.count < limit { break }
        }
    }

    /// Starts a pull pass: reverts first, then a walk in path order over the need candidates
    /// (directories before what they hold, since a parent sorts before its children) that
    /// applies directories, symlinks and metadata and starts file pulls while fewer than
    /// ``FolderConfig/maxActivePulls`` run; it resumes as pulls finish. Deletions come last,
    /// deepest first, in a second walk in reverse path order.
    func pullPass(now: Instant) {
        guard config.mode != .sendOnly, checkMarker() else { return }
        cachedNeedSummary = nil
        clearHeldLeftovers()
        for (path, p) in pulls {
            let g = globalRecord(path)
            if g == nil || g?.deleted == true || g?.kind != .file || g?.contentHash != p.target.contentHash { abandon(path) }
        }
        applyReverts(now: now)
        walk = NeedWalk(after: nil, pageLimit: firstNeedPageLimit)
        continueWalk(now: now)
    }

    /// The first page of a pull pass's walk: the pulls that may be running plus as many again,
    /// so a pass started while pulls run still finds new work in its first read.
    var firstNeedPageLimit: Int { min(2 * config.maxActivePulls, config.indexBatchRecords) }

    /// Continues the pull pass's walk until it ends or the active-pull limit is reached.
    func continueWalk(now: Instant) {
        guard !walking else { return }   // the running walk picks up the freed pull slots
        walking = true
        defer { walking = false }
        repeat {
            walkPages(now: now)
            let ready = readyPulls
            readyPulls = []
            for path in ready { finishPull(path, now: now) }
        } while walk != nil && pulls.count < config.maxActivePulls
        activePullsHighWater = max(activePullsHighWater, pulls.count)
        pullRetryAt = pullRetryAt.filter { $0.value > now }   // due ones are started by the walk, or no longer needed
        schedulePullRetries(now: now)
        issueRequests(now: now)
    }

    /// Walks candidate pages until the walk ends or the active-pull limit is reached.
    func walkPages(now: Instant) {
        while var w = walk, pulls.count < config.maxActivePulls {
            if w.head >= w.candidates.count {
                if w.lastPage {
                    walk = nil
                    applyDeletions()
                    break
                }
                let limit = min(max(w.pageLimit, 1), config.indexBatchRecords)
                guard let page = candidatePage(after: w.after, descending: false, withChunks: false, limit: limit) else { walk = nil; break }
                needCandidatesRead += page.count
                w = NeedWalk(after: page.last?.path ?? w.after, candidates: page, head: 0, lastPage: page.count < limit,
                             remoteGeneration: remoteGeneration, entryCacheEpoch: entryCacheEpoch,
                             pageLimit: min(limit * 2, config.indexBatchRecords))
                walk = w
                continue
            }
            var batch = IndexBatch(folderID: config.folderID)
            var applied: [LocalEntry] = []   // directories and symlinks: committed once their parents are durable
            while w.head < w.candidates.count, pulls.count < config.maxActivePulls {
                let candidate = w.candidates[w.head]
                let path = candidate.path
                w.head += 1
                guard !receiveOnlyChanged.contains(path), !revertRequested.contains(path) else { continue }
                // The local record's chunk list is never needed here (the global one's is).
                let local: LocalEntry?
                if w.entryCacheEpoch == entryCacheEpoch {
                    if let cached = entryCache[path] { local = cached } else {
                        // What the page read is current (a commit since would have cached the
                        // path): kept, so the pull's disk check does not read it again.
                        local = candidate.local
                        remember(path, local)
                    }
                } else {
                    local = localEntry(path, withChunks: false)
                }
                let remote = w.remoteGeneration == remoteGeneration ? candidate.remote : remoteRecords(path, withChunks: false)
                guard var n = need(NeedCandidate(path: path, local: local, remote: remote)), let g = n.global else { continue }
                if g.deleted {
                    if n.local?.deleted == false { continue }   // a deletion: second walk
                    batch.local.append(LocalEntry(record: g, state: nil))   // a newer tombstone of one we hold
                    continue
                }
                switch g.kind {
                case .directory, .symlink: if let e = apply(n, syncParent: false) { applied.append(e) }
                case .file:
                    if let retry = pullRetryAt[n.path], retry > now { continue }   // a local failure backs off
                    pullRetryAt[n.path] = nil
                    guard let target = withChunkList(g) else {
                        // The list is gone: the records changed since the page was read. Read them whole.
                        guard let fresh = need(NeedCandidate(path: path, local: local, remote: remoteRecords(path))),
                              let fg = fresh.global, !fg.deleted, fg.kind == .file else { continue }
                        if let e = startPull(fresh) { batch.local.append(e) }
                        continue
                    }
                    n.global = target
                    let holders = remote.filter { $0.value.contentHash == target.contentHash && !$0.value.deleted }.map(\.key)
                    if let e = startPull(n, holders: holders) { batch.local.append(e) }
                }
            }
            walk = w
            syncAppliedParents(applied, into: &batch)
            record(batch)
            activePullsHighWater = max(activePullsHighWater, pulls.count)
        }
    }

    /// Applies remote deletions deepest first, unless the mass-deletion guard stops them.
    ///
    /// Only the deletion candidates are read (paths we hold that a peer's tombstone of another
    /// version names, ``IndexStore/deletionCandidates(folderID:before:limit:)``), not every need
    /// candidate: a walk end with nothing to delete costs one empty read, not two walks over
    /// the whole need (26-45 ms per walk end in a 10,000-file initial sync).
    func applyDeletions() {
        var deletingFiles = 0
        forEachDeletionPage { page in
            deletingFiles += page.count { $0.local?.kind == .file && !receiveOnlyChanged.contains($0.path) }
        }
        let present = localTotals().files   // kept by the engine; no count query per walk
        if deletingFiles >= config.massDeletionMinimum && Double(deletingFiles) > config.maxDeletionShare * Double(present) {
            if lastMassDeletionReport != deletingFiles { emit(.massDeletionBlocked(count: deletingFiles)) }
            lastMassDeletionReport = deletingFiles
            return
        }
        lastMassDeletionReport = 0
        forEachDeletionPage { page in
            var batch = IndexBatch(folderID: config.folderID)
            for n in page where !receiveOnlyChanged.contains(n.path) && !revertRequested.contains(n.path) {
                if let e = applyDelete(n) { batch.local.append(e) }
            }
            record(batch)   // a page at a time: the next page's directories see their children gone
        }
    }

    /// Visits, a page at a time, the needs that delete a path we hold (global version deleted,
    /// ours not), deepest first (reverse path order).
    func forEachDeletionPage(_ body: ([Need]) -> Void) {
        let limit = config.indexBatchRecords
        var before: SyncPath?
        while true {
            guard let page = readPage({ try store.deletionCandidates(folderID: config.folderID, before: before, limit: limit) }) else { return }
            deletionCandidatesRead += page.count
            body(page.compactMap { c in need(c).flatMap { $0.global?.deleted == true && $0.local?.deleted == false ? $0 : nil } })
            guard page.count == limit, let last = page.last?.path else { return }
            before = last
        }
    }

    /// Restores the global versions of the paths a receive-only folder was asked to revert.
    func applyReverts(now: Instant) {
        guard !revertRequested.isEmpty else { return }
        var batch = IndexBatch(folderID: config.folderID)
        var deletes: [Need] = []
        for path in revertRequested.sorted() {
            let n = Need(path: path, global: globalRecord(path), local: localEntry(path)?.record, revert: true)
            guard let g = n.global, !g.deleted else { deletes.append(n); continue }
            switch g.kind {
            case .directory, .symlink:
                if let e = apply(n) { batch.local.append(e) }
                revertRequested.remove(path)
            case .file: if let e = startPull(n) { batch.local.append(e) }
            }
        }
        for n in deletes.reversed() {
            if let e = applyDelete(n) { batch.local.append(e) }
            revertRequested.remove(n.path)
        }
        record(batch)
    }
}
