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
    /// The decoded chunk bytes (empty unless `status == .ok`).
    public var data: [UInt8]

    /// A response carrying decoded bytes; encoding and compression happen in ``SyncFrame/encode()``.
    public init(requestID: UInt32, status: Status, data: [UInt8] = []) {
        self.requestID = requestID; self.status = status; self.data = data
    }

    func encode(into w: inout ByteWriter) {
        w.writeUInt32(requestID)
        w.writeUInt8(status.rawValue)
        if let compressed = ChunkCompression.compressIfWorthwhile(data) {
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
        let payload = r.readRemainingBytes()
        let data: [UInt8]
        switch encoding {
        case .raw:
            guard payload.count == Int(rawSize) else { throw .invalidField("raw size \(payload.count) != announced \(rawSize)") }
            data = payload
        case .zstd:
            data = try ChunkCompression.decompress(payload, announcedSize: Int(rawSize))
        }
        guard status == .ok || data.isEmpty else { throw .invalidField("data on a failed response") }
        return ChunkResponse(requestID: id, status: status, data: data)
    }
}
