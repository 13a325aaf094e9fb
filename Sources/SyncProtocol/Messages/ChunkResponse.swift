import WireKit

/// The answer to a ``ChunkRequest``: the chunk's bytes, or why they are not available.
public struct ChunkResponse: Hashable, Sendable {
    /// Outcome of a request.
    public enum Status: UInt8, Sendable {
        /// `data` holds the chunk.
        case ok = 0
        /// The file or chunk is not (or no longer) available.
        case notFound = 1
        /// The request was refused (bad folder, invalid path, wrong size).
        case invalid = 2
    }
    /// How `data` is encoded on the wire.
    public enum Encoding: UInt8, Sendable {
        /// Raw bytes.
        case raw = 0
        /// One zstd frame that decompresses to exactly `rawSize` bytes.
        case zstd = 1
    }
    /// The request this answers.
    public var requestID: UInt32
    /// Outcome.
    public var status: Status
    /// The decoded chunk bytes (empty unless `status == .ok`). A decoded raw response's bytes
    /// are a view of the received frame's (not copied out of it: the engine hashes and writes
    /// them in place); a slice's indices start where the payload sits in the frame, not at 0.
    public var data: ArraySlice<UInt8>

    /// A response carrying decoded bytes; encoding and compression happen in ``SyncFrame/encode()``.
    public init(requestID: UInt32, status: Status, data: ArraySlice<UInt8> = []) {
        self.requestID = requestID; self.status = status; self.data = data
    }

    /// A response carrying all of `data`.
    public init(requestID: UInt32, status: Status, data: [UInt8]) {
        self.init(requestID: requestID, status: status, data: data[...])
    }

    func encode(into w: inout ByteWriter) {
        w.writeUInt32(requestID)
        w.writeUInt8(status.rawValue)
        if let compressed = data.withUnsafeBytes({ ChunkCompression.compressIfWorthwhile($0) }) {
            w.writeUInt8(Encoding.zstd.rawValue)
            w.writeUInt32(UInt32(data.count))
            w.writeBytes(compressed)
        } else {
            w.writeUInt8(Encoding.raw.rawValue)
            w.writeUInt32(UInt32(data.count))
            w.writeBytes(data)
        }
    }

    static func decode(from r: inout ByteReader) throws(SyncProtocolParseError) -> ChunkResponse {
        let (id, statusByte, encodingByte, rawSize) = try r.sync { r in
            (try r.readUInt32(), try r.readUInt8(), try r.readUInt8(), try r.readUInt32())
        }
        guard let status = Status(rawValue: statusByte) else { throw .invalidField("status \(statusByte)") }
        guard let encoding = Encoding(rawValue: encodingByte) else { throw .invalidField("encoding \(encodingByte)") }
        guard Int(rawSize) <= FrameLimits.maxChunkBytes else { throw .limitExceeded("chunk of \(rawSize) bytes") }
        // A view of the frame's bytes, not a copy (a raw chunk is hashed and written from it).
        let payload = try r.sync { try $0.readSlice($0.remaining) }
        let data: ArraySlice<UInt8>
        switch encoding {
        case .raw:
            guard payload.count == Int(rawSize) else { throw .invalidField("raw size \(payload.count) != announced \(rawSize)") }
            data = payload
        case .zstd:
            data = try payload.withUnsafeBytes { p in
                Result { () throws(SyncProtocolParseError) in try ChunkCompression.decompress(p, announcedSize: Int(rawSize)) }
            }.get()[...]
        }
        guard status == .ok || data.isEmpty else { throw .invalidField("data on a failed response") }
        return ChunkResponse(requestID: id, status: status, data: data)
    }
}
