import WireKit

/// Asks a peer for one chunk of a file it announced.
public struct ChunkRequest: Hashable, Sendable {
    /// Matches the response to the request; chosen by the requester.
    public var requestID: UInt32
    /// The folder.
    public var folderID: String
    /// The file.
    public var path: SyncPath
    /// Byte offset of the chunk in the file.
    public var offset: UInt64
    /// Length of the chunk.
    public var size: UInt32
    /// Expected SHA-256 of the chunk.
    public var hash: ContentHash
    /// Leading bytes of the chunk the requester already has (from the file it is replacing, when
    /// the file grew by an append): the response carries the chunk's bytes from `skip` on. Zero
    /// asks for the whole chunk. The responder still verifies the whole chunk against `hash`.
    public var skip: UInt32

    /// A request.
    public init(requestID: UInt32, folderID: String, path: SyncPath, offset: UInt64, size: UInt32, hash: ContentHash,
                skip: UInt32 = 0) {
        self.requestID = requestID; self.folderID = folderID; self.path = path
        self.offset = offset; self.size = size; self.hash = hash; self.skip = skip
    }

    func encode(into w: inout ByteWriter) {
        w.writeUInt32(requestID)
        w.writeString16(folderID)
        w.writeString16(path.string)
        w.writeUInt64(offset)
        w.writeUInt32(size)
        w.writeHash(hash)
        if skip > 0 { w.writeUInt32(skip) }
    }

    static func decode(from r: inout ByteReader) throws(SyncProtocolParseError) -> ChunkRequest {
        let id = try r.sync { try $0.readUInt32() }
        let folder = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "folder ID")
        let raw = try r.readString16(maxBytes: PathPolicy.maxPathBytes, field: "path")
        let path: SyncPath
        do { path = try PathPolicy.validate(raw) } catch { throw .invalidPath(error) }
        let (offset, size) = try r.sync { r in (try r.readUInt64(), try r.readUInt32()) }
        guard size > 0, Int(size) <= FrameLimits.maxChunkBytes else { throw .limitExceeded("request of \(size) bytes") }
        guard offset <= FrameLimits.maxFileSize else { throw .limitExceeded("offset \(offset)") }
        let hash = try r.readHash()
        let skip: UInt32 = r.isAtEnd ? 0 : try r.sync { try $0.readUInt32() }
        guard skip < size else { throw .invalidField("skip \(skip) of a \(size)-byte chunk") }
        return ChunkRequest(requestID: id, folderID: folder, path: path, offset: offset, size: size, hash: hash, skip: skip)
    }
}
