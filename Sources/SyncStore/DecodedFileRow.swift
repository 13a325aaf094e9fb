import GRDBSQLite
import SyncEngine
import SyncFS
import SyncProtocol

/// One `file` row of a paged query (selected with ``RowCoding/fileColumns``), decoded straight
/// from the statement's columns into what the engine reads: the owning device, the record and,
/// for a local row, the on-disk state.
///
/// The rows were first copied into a ``FileRow`` (four `String`s validated and allocated, three
/// `Data` blobs allocated) and then converted: the folder ID is never used (every query names
/// one folder), the device of a local row is empty, and the version, content hash and inline
/// chunk list are decoded from SQLite's own buffers here without an intermediate copy.
struct DecodedFileRow {
    /// The device whose index holds the row; empty for ours.
    var device: String
    /// The record, with its chunk list when it was inline (see ``needsList``).
    var record: FileRecord
    /// Our on-disk state of the path (local rows that have one).
    var state: LocalFileState?
    /// True when the row is a live file whose list is in `chunkList` (not read yet).
    var needsList: Bool
}

extension DecodedFileRow {
    /// Decodes the current row of `c` (see ``RowCoding/fileColumnNames`` for the positions).
    init(_ c: DirectStatement.Columns) {
        let kind = FileKind(rawValue: UInt8(truncatingIfNeeded: c.int64(3))) ?? .file
        let deleted = c.int64(4) != 0
        let size = c.int64(5)
        device = c.isEmptyText(1) ? "" : c.string(1)
        var chunks: [ChunkInfo] = []
        var inline = false
        if !deleted, !c.isNull(20) {
            inline = true
            chunks = c.withBlob(20) { RowCoding.decodeChunks($0) }
        }
        let symlinkTarget = c.isEmptyText(12) ? "" : c.string(12)
        record = FileRecord(path: SyncPath(c.string(2)), kind: kind, deleted: deleted, size: UInt64(bitPattern: size),
                            permissions: UInt32(truncatingIfNeeded: c.int64(6)), mtimeNanoseconds: c.int64(7),
                            modifiedBy: UInt64(bitPattern: c.int64(8)), version: c.withBlob(9) { RowCoding.decodeVersion($0) },
                            sequence: UInt64(bitPattern: c.int64(10)), contentHash: c.withBlob(11) { RowCoding.hash($0) },
                            chunks: chunks, symlinkTarget: symlinkTarget)
        needsList = !inline && kind == .file && !deleted
        if c.isNull(13) || c.isNull(14) || c.isNull(15) || c.isNull(16) || c.isNull(17) || c.isNull(18) {
            state = nil
        } else if let diskKind = FileKind(rawValue: UInt8(truncatingIfNeeded: c.int64(18))) {
            state = LocalFileState(kind: diskKind, size: UInt64(bitPattern: c.int64(16)), permissions: UInt32(truncatingIfNeeded: c.int64(17)),
                                   mtimeNanoseconds: c.int64(15), ctimeNanoseconds: c.int64(14), inode: UInt64(bitPattern: c.int64(13)),
                                   symlinkTarget: symlinkTarget)
        } else {
            state = nil
        }
    }

    /// The local entry of a local row.
    var localEntry: LocalEntry { LocalEntry(record: record, state: state) }
}

extension DirectStatement.Columns {
    /// True when the column is NULL or empty text (read without building a `String`).
    func isEmptyText(_ i: CInt) -> Bool { sqlite3_column_bytes(handle, i) == 0 }

    /// Hands the column's bytes (NULL reads as empty) to `body` in SQLite's own buffer, valid
    /// only during the call: no `Data` is built.
    func withBlob<T>(_ i: CInt, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        guard let bytes = sqlite3_column_blob(handle, i) else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return body(UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, i))))
    }
}
