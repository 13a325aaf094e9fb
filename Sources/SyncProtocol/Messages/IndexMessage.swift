import WireKit

/// A batch of the sender's index records for one folder.
///
/// With `isUpdate == false` it starts a full index (the receiver drops what it held for the sender's
/// folder first, unless `indexID` matches and the batch is a continuation); with `true` it carries
/// records whose sequence is above `sinceSequence`.
public struct IndexMessage: Hashable, Sendable {
    /// The folder.
    public var folderID: String
    /// The sender's index generation these records belong to.
    public var indexID: UInt64
    /// False for (the first batch of) a full index, true for an incremental update.
    public var isUpdate: Bool
    /// The records, in increasing sequence order.
    public var records: [FileRecord]

    /// An index message.
    public init(folderID: String, indexID: UInt64, isUpdate: Bool, records: [FileRecord]) {
        self.folderID = folderID; self.indexID = indexID; self.isUpdate = isUpdate; self.records = records
    }

    func encode(into w: inout ByteWriter) {
        w.writeString16(folderID)
        w.writeUInt64(indexID)
        w.writeUInt8(isUpdate ? 1 : 0)
        w.writeUInt32(UInt32(records.count))
        for r in records { Self.encode(r, into: &w) }
    }

    static func decode(from r: inout ByteReader) throws(SyncProtocolParseError) -> IndexMessage {
        let folder = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "folder ID")
        let indexID = try r.sync { try $0.readUInt64() }
        let flag = try r.sync { try $0.readUInt8() }
        guard flag <= 1 else { throw .invalidField("index flag \(flag)") }
        let count = Int(try r.sync { try $0.readUInt32() })
        guard count <= FrameLimits.maxRecordsPerMessage else { throw .limitExceeded("\(count) records") }
        // Each record needs at least 60 bytes; a lying count fails here, before any allocation.
        guard count <= r.remaining / 60 else { throw .wire(.truncated(needed: count * 60, available: r.remaining)) }
        var records: [FileRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try decodeRecord(from: &r)) }
        return IndexMessage(folderID: folder, indexID: indexID, isUpdate: flag == 1, records: records)
    }

    static func encode(_ f: FileRecord, into w: inout ByteWriter) {
        w.writeString16(f.path.string)
        w.writeUInt8(f.kind.rawValue)
        w.writeUInt8(f.deleted ? 1 : 0)
        w.writeUInt64(f.size)
        w.writeUInt32(f.permissions)
        w.writeUInt64(UInt64(bitPattern: f.mtimeNanoseconds))
        w.writeUInt64(f.modifiedBy)
        w.writeUInt64(f.sequence)
        w.writeUInt16(UInt16(f.version.counters.count))
        for c in f.version.counters { w.writeUInt64(c.device); w.writeUInt64(c.value) }
        w.writeHash(f.contentHash)
        w.writeUInt32(UInt32(f.chunks.count))
        for c in f.chunks { w.writeUInt32(c.size); w.writeHash(c.hash) }
        w.writeString16(f.symlinkTarget)
    }

    static func decodeRecord(from r: inout ByteReader) throws(SyncProtocolParseError) -> FileRecord {
        let rawPath = try r.readString16(maxBytes: PathPolicy.maxPathBytes, field: "path")
        let path: SyncPath
        do { path = try PathPolicy.validate(rawPath) } catch { throw .invalidPath(error) }
        let kindByte = try r.sync { try $0.readUInt8() }
        guard let kind = FileKind(rawValue: kindByte) else { throw .invalidField("file kind \(kindByte)") }
        let deletedByte = try r.sync { try $0.readUInt8() }
        guard deletedByte <= 1 else { throw .invalidField("deleted flag \(deletedByte)") }
        let (size, perms, mtime, by, seq) = try r.sync { r in
            (try r.readUInt64(), try r.readUInt32(), try r.readUInt64(), try r.readUInt64(), try r.readUInt64())
        }
        guard size <= FrameLimits.maxFileSize else { throw .limitExceeded("file size \(size)") }
        guard perms <= 0o7777 else { throw .invalidField("permissions \(perms)") }
        let counterCount = Int(try r.sync { try $0.readUInt16() })
        guard counterCount <= FrameLimits.maxVersionCounters else { throw .limitExceeded("\(counterCount) version counters") }
        var counters: [VersionVector.Counter] = []
        for _ in 0..<counterCount {
            let (d, v) = try r.sync { r in (try r.readUInt64(), try r.readUInt64()) }
            counters.append(.init(device: d, value: v))
        }
        let contentHash = try r.readHash()
        let chunkCount = Int(try r.sync { try $0.readUInt32() })
        guard chunkCount <= FrameLimits.maxChunksPerFile else { throw .limitExceeded("\(chunkCount) chunks") }
        guard chunkCount <= r.remaining / 36 else { throw .wire(.truncated(needed: chunkCount * 36, available: r.remaining)) }
        var chunks: [ChunkInfo] = []
        chunks.reserveCapacity(chunkCount)
        var total: UInt64 = 0
        for _ in 0..<chunkCount {
            let size = try r.sync { try $0.readUInt32() }
            guard size > 0, Int(size) <= FrameLimits.maxChunkBytes else { throw .limitExceeded("chunk of \(size) bytes") }
            total += UInt64(size)
            chunks.append(ChunkInfo(size: size, hash: try r.readHash()))
        }
        let target = try r.readString16(maxBytes: FrameLimits.maxSymlinkTargetBytes, field: "symlink target")
        let deleted = deletedByte == 1
        if kind == .file && !deleted {
            guard total == size else { throw .invalidField("chunks cover \(total) bytes, size is \(size)") }
        } else {
            guard chunks.isEmpty else { throw .invalidField("chunks on a non-file or tombstone") }
        }
        if kind == .symlink && !deleted {
            guard !target.isEmpty, !target.utf8.contains(0) else { throw .invalidField("symlink target") }
        }
        return FileRecord(path: path, kind: kind, deleted: deleted, size: size, permissions: perms,
                          mtimeNanoseconds: Int64(bitPattern: mtime), modifiedBy: by, version: VersionVector(counters),
                          sequence: seq, contentHash: contentHash, chunks: chunks, symlinkTarget: target)
    }
}
