import SyncProtocol

/// Picks the winning version of a path among every device's record.
///
/// A version that includes another wins. Between concurrent versions the tie-break is the same
/// on every device: an existing entry beats a deletion, then the later mtime wins, then the
/// higher modifier short ID — so all devices agree on one winner and exactly one side keeps a
/// conflict copy.
public enum GlobalState {
    /// The winner of `records` (nil when empty).
    public static func winner(_ records: [FileRecord]) -> FileRecord? {
        // The maximal versions (dominated by no other record), then the tie-break among them.
        let maximal = records.filter { r in !records.contains { $0.version.compare(r.version) == .greater } }
        var best: FileRecord?
        for r in maximal {
            guard let b = best else { best = r; continue }
            if r.version.compare(b.version) != .equal && wins(r, over: b) { best = r }
        }
        return best
    }

    /// The tie-break between concurrent versions.
    public static func wins(_ a: FileRecord, over b: FileRecord) -> Bool {
        if a.deleted != b.deleted { return !a.deleted }
        if a.mtimeNanoseconds != b.mtimeNanoseconds { return a.mtimeNanoseconds > b.mtimeNanoseconds }
        if a.modifiedBy != b.modifiedBy { return a.modifiedBy > b.modifiedBy }
        return a.contentHash > b.contentHash
    }
}
