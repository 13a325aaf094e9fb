import SyncProtocol

extension FolderEngine {
    /// Forgets deletions that every known peer has acknowledged and that are older than
    /// ``FolderConfig/tombstoneRetention``; returns how many tombstones were removed.
    ///
    /// Time is an input, as everywhere in the engine: `wallClockNanoseconds` is the current wall
    /// time (nanoseconds since the Unix epoch), which survives restarts, unlike `Instant`. A
    /// tombstone's age is counted from the first call that saw it, so the driver calls this
    /// periodically (say hourly, or with each full rescan); the retention is then exact to
    /// within that period.
    ///
    /// A tombstone is removed only when
    /// - every peer we exchange this folder with said in its hello that it holds our index at
    ///   least up to the tombstone's sequence (so the deletion reached it), and
    /// - every peer's own record of the path is absent or a deletion no newer than ours (so no
    ///   peer still announces the file, which would bring it back).
    /// The peers' tombstones of the path are removed with it.
    @discardableResult
    public func expireTombstones(wallClockNanoseconds: Int64) -> Int {
        do {
            try store.stampTombstones(folderID: config.folderID, wallClockNanoseconds: wallClockNanoseconds)
        } catch {
            emit(.pullFailed(SyncPath(""), reason: "index write failed: \(error)"))
            return 0
        }
        let acknowledged = progress.values.map(\.acknowledgedSequence).min() ?? sequence
        let retention = config.tombstoneRetention.components
        let retentionNanoseconds = retention.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !retentionNanoseconds.overflow else { return 0 }
        let cutoff = wallClockNanoseconds.subtractingReportingOverflow(retentionNanoseconds.partialValue &+ retention.attoseconds / 1_000_000_000)
        guard !cutoff.overflow else { return 0 }
        var expired = 0
        var after: SyncPath?
        while true {
            let page: [FileRecord]
            do {
                page = try store.expirableTombstones(folderID: config.folderID, maxSequence: acknowledged, stampedBefore: cutoff.partialValue,
                                                     after: after, limit: config.indexBatchRecords)
            } catch {
                emit(.pullFailed(SyncPath(""), reason: "index read failed: \(error)"))
                break
            }
            noteBuffered(page.count)
            var batch = IndexBatch(folderID: config.folderID)
            for t in page where remoteRecords(t.path, withChunks: false).values.allSatisfy({ r in
                let order = t.version.compare(r.version)
                return r.deleted && (order == .greater || order == .equal)
            }) {
                batch.expiredTombstones.append(t.path)
            }
            if commit(batch) { expired += batch.expiredTombstones.count }
            after = page.last?.path
            if page.count < config.indexBatchRecords { break }
        }
        if expired > 0 { cachedNeedSummary = nil }
        return expired
    }
}
