import Foundation
import GRDB
import SyncEngine
import SyncFS
import SyncProtocol

extension SQLiteIndexStore {
    /// The query of ``deletionCandidates(folderID:before:limit:)``: `?1` the folder, `?2` the
    /// path the page ends before (unused unless `bounded`), `?3` the page's length in paths.
    ///
    /// The peers' tombstones are read from the partial index `file_tombstoneOnly` (rows with
    /// `deleted = 1` only), each checked against our row in the primary key: a folder whose peers
    /// announce no deletions costs an empty index range, not a walk over its need candidates.
    static func makeDeletionCandidatesSQL(bounded: Bool) -> String {
        """
        SELECT \(RowCoding.qualifiedFileColumns("f")) FROM (
            SELECT DISTINCT r.path AS path FROM file r INDEXED BY file_tombstoneOnly
            JOIN file l ON l.folderID = r.folderID AND l.path = r.path AND l.device = ''
            WHERE r.folderID = ?1 AND r.device != '' AND r.deleted = 1 \(bounded ? "AND r.path < ?2" : "")
                AND l.deleted = 0 AND l.version != r.version
            ORDER BY r.path DESC LIMIT ?3
        ) p CROSS JOIN file f ON f.folderID = ?1 AND f.path = p.path
        """
    }

    /// The two variants of ``makeDeletionCandidatesSQL(bounded:)``, built once.
    static let deletionCandidatesQueries = [makeDeletionCandidatesSQL(bounded: false), makeDeletionCandidatesSQL(bounded: true)]

    /// ``IndexStore`` requirement: one page of deletion candidates and every device's rows of
    /// them, without chunk lists (a deletion needs none).
    public func deletionCandidates(folderID: String, before path: SyncPath?, limit: Int) throws -> [NeedCandidate] {
        try database.pool.unsafeReentrantWrite { db in
            let sql = Self.deletionCandidatesQueries[path == nil ? 0 : 1]
            return Self.candidates(try records(db, sql, [folderID.databaseValue, (path?.string ?? "").databaseValue, limit.databaseValue],
                                               withChunks: false), descending: true)
        }
    }

    /// Groups the rows of a candidate query (each path's rows together) into candidates, in path
    /// order (reverse order when `descending`).
    ///
    /// SQL promises no order without an outer `ORDER BY` (which would copy the page into a
    /// temporary B-tree to sort it again): the rows come out in the page's order in practice.
    /// While they do, a row's path is either the last candidate's or comes after it, and no
    /// table of paths is needed (hashing every row's path was a good part of a need page's
    /// Swift work); the first row out of order sends the rest through a table of the page's
    /// paths, and the page is sorted at the end.
    static func candidates(_ rows: [DecodedFileRow], descending: Bool) -> [NeedCandidate] {
        var out: [NeedCandidate] = []
        var slots: [SyncPath: Int]?   // built once a row comes out of order
        for row in rows {
            let r = row.record
            // Compared as SyncPaths (bytes), never as Strings: String `==` is canonical
            // equivalence and would merge `é` (NFC) with `e` + U+0301 (NFD).
            let slot: Int
            if let last = out.last?.path, last == r.path {
                slot = out.count - 1
            } else if slots == nil, out.last.map({ descending ? r.path < $0.path : r.path > $0.path }) ?? true {
                slot = out.count
                out.append(NeedCandidate(path: r.path, local: nil, remote: [:]))
            } else {
                if slots == nil { slots = Dictionary(uniqueKeysWithValues: out.enumerated().map { ($0.element.path, $0.offset) }) }
                if let known = slots?[r.path] { slot = known } else {
                    slot = out.count
                    slots?[r.path] = slot
                    out.append(NeedCandidate(path: r.path, local: nil, remote: [:]))
                }
            }
            if row.device.isEmpty {
                out[slot].local = row.localEntry
            } else {
                out[slot].remote[row.device] = r
            }
        }
        if slots != nil { out.sort { descending ? $0.path > $1.path : $0.path < $1.path } }
        return out
    }
}
