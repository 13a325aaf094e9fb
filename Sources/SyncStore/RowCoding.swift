import Foundation
import GRDB
import SyncFS
import SyncProtocol
import SyncEngine

/// Conversions between engine values and database rows.
enum RowCoding {
    /// The `file` table's columns in the order ``DecodedFileRow`` reads them (queries on the hot
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

    /// Binds one record's row to `s` (an insert of ``fileColumns``), in that order; `deletedAt`
    /// starts empty, `inlineChunks` holds the list of a live one-chunk file (``inlineList(_:)``).
    static func bindFile(_ s: inout DirectStatement, folderID: String, device: String, record f: FileRecord,
                         state: LocalFileState?) throws {
        s.begin()
        try s.bind(folderID); try s.bind(device); try s.bind(f.path.string)
        try s.bind(Int64(f.kind.rawValue)); try s.bind(f.deleted); try s.bind(Int64(bitPattern: f.size))
        try s.bind(Int64(f.permissions)); try s.bind(f.mtimeNanoseconds); try s.bind(Int64(bitPattern: f.modifiedBy))
        try s.bind(f.version); try s.bind(Int64(bitPattern: f.sequence)); try s.bind(f.contentHash)
        try s.bind(f.symlinkTarget)
        try s.bind(state.map { Int64(bitPattern: $0.inode) }); try s.bind(state?.ctimeNanoseconds); try s.bind(state?.mtimeNanoseconds)
        try s.bind(state.map { Int64(bitPattern: $0.size) }); try s.bind(state.map { Int64($0.permissions) })
        try s.bind(state.map { Int64($0.kind.rawValue) })
        try s.bind(nil as Int64?)
        if keepsListInline(f) { try s.bind(f.chunks) } else { try s.bind(nil as Int64?) }
    }

    /// True when `f` keeps its chunk list in its own row (`inlineChunks`): a live file of exactly
    /// one chunk. Longer lists are stored once per content hash in `chunkList`.
    static func keepsListInline(_ f: FileRecord) -> Bool { f.kind == .file && !f.deleted && f.chunks.count == 1 }

    /// The content hash of a file made of the chunk `hash` alone, encoded: how a one-chunk file's
    /// row (its list inline) is found from its chunk.
    static func oneChunkContentHash(_ hash: ContentHash) -> Data {
        data(SHA256Hasher.contentHash(of: [ChunkInfo(size: 0, hash: hash)]))
    }

    /// True when `f`'s chunk list goes to the `chunkList` table (a live file of two or more chunks).
    static func listsSeparately(_ f: FileRecord) -> Bool { f.kind == .file && !f.deleted && f.chunks.count > 1 }

    static func data(_ h: ContentHash) -> Data { encoded(count: 32) { write(h, into: $0, at: 0) } }

    static func encode(_ v: VersionVector) -> Data { encoded(count: v.counters.count * 16) { write(v, into: $0) } }

    /// `count` bytes written by `fill`, as a `Data`.
    static func encoded(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Data {
        var out = Data(count: count)
        out.withUnsafeMutableBytes(fill)
        return out
    }

    // The encodings, written in place (in a `Data`, or in a statement's scratch buffer: see
    // DirectStatement.bindBlob). Appending to a `Data` value by value (a capacity check, an
    // exclusivity check and retains per append), plus the array `ContentHash.bytes` builds, was
    // over a fifth of the Swift side of a commit (perf samples of `sync-bench store`).

    /// Writes a digest's 32 bytes at `offset`.
    static func write(_ h: ContentHash, into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        out.storeBytes(of: h.w0.bigEndian, toByteOffset: offset, as: UInt64.self)
        out.storeBytes(of: h.w1.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        out.storeBytes(of: h.w2.bigEndian, toByteOffset: offset + 16, as: UInt64.self)
        out.storeBytes(of: h.w3.bigEndian, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// Writes a version vector: per counter, the device then the value (8 bytes each, big-endian).
    static func write(_ v: VersionVector, into out: UnsafeMutableRawBufferPointer) {
        for (i, c) in v.counters.enumerated() {
            out.storeBytes(of: c.device.bigEndian, toByteOffset: i * 16, as: UInt64.self)
            out.storeBytes(of: c.value.bigEndian, toByteOffset: i * 16 + 8, as: UInt64.self)
        }
    }

    /// Writes a chunk list: per chunk, its size (4 bytes, big-endian) then its hash.
    static func write(_ chunks: [ChunkInfo], into out: UnsafeMutableRawBufferPointer) {
        for (i, c) in chunks.enumerated() {
            out.storeBytes(of: c.size.bigEndian, toByteOffset: i * 36, as: UInt32.self)
            write(c.hash, into: out, at: i * 36 + 4)
        }
    }

    static func decodeVersion(_ d: Data) -> VersionVector { d.withUnsafeBytes { decodeVersion($0) } }

    /// A version vector from its encoding in `raw` (see ``write(_:into:)-(VersionVector,_)``).
    static func decodeVersion(_ raw: UnsafeRawBufferPointer) -> VersionVector {
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

    static func hash(_ d: Data) -> ContentHash { d.withUnsafeBytes { hash($0) } }

    /// A digest from its 32 bytes in `raw` (zero when `raw` holds anything else).
    static func hash(_ raw: UnsafeRawBufferPointer) -> ContentHash {
        raw.count == 32 ? ContentHash(loadingFrom: raw, at: 0) : .zero
    }

    static func encode(_ chunks: [ChunkInfo]) -> Data { encoded(count: chunks.count * 36) { write(chunks, into: $0) } }

    static func decodeChunks(_ d: Data) -> [ChunkInfo] { d.withUnsafeBytes { decodeChunks($0) } }

    /// A chunk list from its encoding in `raw` (see ``write(_:into:)-([ChunkInfo],_)``).
    static func decodeChunks(_ raw: UnsafeRawBufferPointer) -> [ChunkInfo] {
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

extension DirectStatement {
    /// Binds the next parameter to a digest's 32 bytes (as ``RowCoding/data(_:)`` encodes it).
    mutating func bind(_ h: ContentHash) throws { try bindBlob(count: 32) { RowCoding.write(h, into: $0, at: 0) } }

    /// Binds the next parameter to a version vector (as `RowCoding.encode` encodes it).
    mutating func bind(_ v: VersionVector) throws { try bindBlob(count: v.counters.count * 16) { RowCoding.write(v, into: $0) } }

    /// Binds the next parameter to a chunk list (as `RowCoding.encode` encodes it).
    mutating func bind(_ chunks: [ChunkInfo]) throws { try bindBlob(count: chunks.count * 36) { RowCoding.write(chunks, into: $0) } }
}
