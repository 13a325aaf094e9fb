import Foundation
import GRDB
import SyncFS
import SyncProtocol
import SyncEngine

/// Conversions between engine values and database rows.
enum RowCoding {
    /// The `file` table's columns in the order ``fileRow(_:)`` reads them (queries on the hot
    /// path select exactly these and decode by position, not by name).
    static let fileColumnNames = ["folderID", "device", "path", "kind", "deleted", "size", "permissions", "mtime", "modifiedBy",
                                  "version", "sequence", "contentHash", "symlinkTarget", "inode", "ctime", "diskMtime", "diskSize",
                                  "diskPermissions", "diskKind", "deletedAt", "inlineChunks"]
    /// ``fileColumnNames`` as a select list.
    static let fileColumns = fileColumnNames.joined(separator: ", ")
    /// One `?` per column, for inserts.
    static let fileColumnMarks = Array(repeating: "?", count: fileColumnNames.count).joined(separator: ", ")
    /// ``fileColumnNames`` qualified by a table alias.
    static func qualifiedFileColumns(_ alias: String) -> String { fileColumnNames.map { "\(alias).\($0)" }.joined(separator: ", ") }

    /// A row selected with ``fileColumns`` by a ``DirectStatement``, decoded by position.
    static func fileRow(_ c: DirectStatement.Columns) -> FileRow {
        FileRow(folderID: c.string(0), device: c.string(1), path: c.string(2), kind: Int(c.int64(3)), deleted: c.int64(4) != 0,
                size: c.int64(5), permissions: Int(c.int64(6)), mtime: c.int64(7), modifiedBy: c.int64(8), version: c.data(9),
                sequence: c.int64(10), contentHash: c.data(11), symlinkTarget: c.string(12), inode: c.optionalInt64(13),
                ctime: c.optionalInt64(14), diskMtime: c.optionalInt64(15), diskSize: c.optionalInt64(16),
                diskPermissions: c.optionalInt64(17).map { Int($0) }, diskKind: c.optionalInt64(18).map { Int($0) },
                deletedAt: c.optionalInt64(19), inlineChunks: c.isNull(20) ? nil : c.data(20))
    }

    /// Binds one record's row to `s` (an insert of ``fileColumns``), in that order; `deletedAt`
    /// starts empty, `inlineChunks` holds the list of a live one-chunk file (``inlineList(_:)``).
    static func bindFile(_ s: inout DirectStatement, folderID: String, device: String, record f: FileRecord,
                         state: LocalFileState?) throws {
        s.begin()
        try s.bind(folderID); try s.bind(device); try s.bind(f.path.string)
        try s.bind(Int64(f.kind.rawValue)); try s.bind(f.deleted); try s.bind(Int64(bitPattern: f.size))
        try s.bind(Int64(f.permissions)); try s.bind(f.mtimeNanoseconds); try s.bind(Int64(bitPattern: f.modifiedBy))
        try s.bind(encode(f.version)); try s.bind(Int64(bitPattern: f.sequence)); try s.bind(data(f.contentHash))
        try s.bind(f.symlinkTarget)
        try s.bind(state.map { Int64(bitPattern: $0.inode) }); try s.bind(state?.ctimeNanoseconds); try s.bind(state?.mtimeNanoseconds)
        try s.bind(state.map { Int64(bitPattern: $0.size) }); try s.bind(state.map { Int64($0.permissions) })
        try s.bind(state.map { Int64($0.kind.rawValue) })
        try s.bind(nil as Int64?)
        if let list = inlineList(f) { try s.bind(list) } else { try s.bind(nil as Int64?) }
    }

    /// The encoded chunk list `f` keeps in its own row (`inlineChunks`): a live file of exactly
    /// one chunk. Longer lists are stored once per content hash in `chunkList`.
    static func inlineList(_ f: FileRecord) -> Data? {
        guard f.kind == .file, !f.deleted, f.chunks.count == 1 else { return nil }
        return encode(f.chunks)
    }

    /// The content hash of a file made of the chunk `hash` alone, encoded: how a one-chunk file's
    /// row (its list inline) is found from its chunk.
    static func oneChunkContentHash(_ hash: ContentHash) -> Data {
        data(SHA256Hasher.contentHash(of: [ChunkInfo(size: 0, hash: hash)]))
    }

    /// True when `f`'s chunk list goes to the `chunkList` table (a live file of two or more chunks).
    static func listsSeparately(_ f: FileRecord) -> Bool { f.kind == .file && !f.deleted && f.chunks.count > 1 }

    static func data(_ h: ContentHash) -> Data { Data(h.bytes) }

    static func encode(_ v: VersionVector) -> Data {
        var out = Data()
        out.reserveCapacity(v.counters.count * 16)
        for c in v.counters {
            withUnsafeBytes(of: c.device.bigEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: c.value.bigEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    static func decodeVersion(_ d: Data) -> VersionVector {
        d.withUnsafeBytes { raw in
            var counters: [VersionVector.Counter] = []
            counters.reserveCapacity(raw.count / 16)
            var i = 0
            while i + 16 <= raw.count {
                counters.append(.init(device: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)),
                                      value: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))))
                i += 16
            }
            return VersionVector(counters)
        }
    }

    static func hash(_ d: Data) -> ContentHash {
        guard d.count == 32 else { return .zero }
        return d.withUnsafeBytes { ContentHash(loadingFrom: $0, at: 0) }
    }

    static func encode(_ chunks: [ChunkInfo]) -> Data {
        var out = Data()
        out.reserveCapacity(chunks.count * 36)
        for c in chunks {
            withUnsafeBytes(of: c.size.bigEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: c.hash.bytes)
        }
        return out
    }

    static func decodeChunks(_ d: Data) -> [ChunkInfo] {
        d.withUnsafeBytes { raw in
            var out: [ChunkInfo] = []
            out.reserveCapacity(raw.count / 36)
            var i = 0
            while i + 36 <= raw.count {
                let size = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                out.append(ChunkInfo(size: size, hash: ContentHash(loadingFrom: raw, at: i + 4)))
                i += 36
            }
            return out
        }
    }

    static func record(_ r: FileRow, chunks: [ChunkInfo]) -> FileRecord {
        FileRecord(path: SyncPath(r.path), kind: FileKind(rawValue: UInt8(truncatingIfNeeded: r.kind)) ?? .file, deleted: r.deleted,
                   size: UInt64(bitPattern: r.size), permissions: UInt32(truncatingIfNeeded: r.permissions), mtimeNanoseconds: r.mtime,
                   modifiedBy: UInt64(bitPattern: r.modifiedBy), version: decodeVersion(r.version), sequence: UInt64(bitPattern: r.sequence),
                   contentHash: hash(r.contentHash), chunks: chunks, symlinkTarget: r.symlinkTarget)
    }

    static func state(_ r: FileRow) -> LocalFileState? {
        guard let inode = r.inode, let ctime = r.ctime, let mtime = r.diskMtime, let size = r.diskSize,
              let perms = r.diskPermissions, let kindRaw = r.diskKind, let kind = FileKind(rawValue: UInt8(truncatingIfNeeded: kindRaw)) else { return nil }
        return LocalFileState(kind: kind, size: UInt64(bitPattern: size), permissions: UInt32(truncatingIfNeeded: perms),
                              mtimeNanoseconds: mtime, ctimeNanoseconds: ctime, inode: UInt64(bitPattern: inode),
                              symlinkTarget: r.symlinkTarget)
    }
}
