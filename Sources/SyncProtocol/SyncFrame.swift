import WireKit

/// One message of the sync protocol, and its framing on the wire.
///
/// A frame is `length:u32 | version:u8 | type:u8 | body`, big-endian, where `length` counts
/// every byte after itself. See docs/sync-protocol.md for the body of each type.
public enum SyncFrame: Hashable, Sendable {
    /// Who the sender is and where each folder's index stands.
    case hello(Hello)
    /// A batch of index records (full or update).
    case index(IndexMessage)
    /// A chunk request.
    case request(ChunkRequest)
    /// A chunk response.
    case response(ChunkResponse)
    /// The sender has sent its whole index for a folder up to `sequence` (lets the peer start pulling).
    case indexComplete(folderID: String, sequence: UInt64)
    /// Keep-alive; carries nothing.
    case ping
    /// The sender is closing the stream.
    case close(Close)

    /// The protocol version this build writes and accepts.
    public static let version: UInt8 = 1
    /// Bytes before the body: length (4), version (1), type (1).
    public static let headerBytes = 6

    /// Wire type codes.
    public enum MessageType: UInt8, Sendable {
        case hello = 1, index = 2, request = 3, response = 4, indexComplete = 5, ping = 6, close = 7
    }

    /// The type code of this frame.
    public var messageType: MessageType {
        switch self {
        case .hello: return .hello
        case .index: return .index
        case .request: return .request
        case .response: return .response
        case .indexComplete: return .indexComplete
        case .ping: return .ping
        case .close: return .close
        }
    }

    /// The frame's bytes, length prefix included.
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.writeUInt32(0)
        w.writeUInt8(Self.version)
        w.writeUInt8(messageType.rawValue)
        switch self {
        case .hello(let m): m.encode(into: &w)
        case .index(let m): m.encode(into: &w)
        case .request(let m): m.encode(into: &w)
        case .response(let m): m.encode(into: &w)
        case .indexComplete(let folder, let seq): w.writeString16(folder); w.writeUInt64(seq)
        case .ping: break
        case .close(let m): m.encode(into: &w)
        }
        w.setUInt32(UInt32(w.count - 4), at: 0)
        return w.bytes
    }

    /// Decodes exactly one frame (length prefix included) and validates every field.
    public static func decode(_ bytes: [UInt8]) throws(SyncProtocolParseError) -> SyncFrame {
        guard bytes.count <= FrameLimits.maxFrameBytes else { throw .frameTooLarge(bytes.count) }
        var r = ByteReader(bytes)
        let length = Int(try r.sync { try $0.readUInt32() })
        guard length == r.remaining else {
            throw length > FrameLimits.maxFrameBytes ? .frameTooLarge(length) : .invalidField("length \(length), \(r.remaining) bytes follow")
        }
        let (version, typeByte) = try r.sync { r in (try r.readUInt8(), try r.readUInt8()) }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard let type = MessageType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }
        let frame: SyncFrame
        switch type {
        case .hello: frame = .hello(try Hello.decode(from: &r))
        case .index: frame = .index(try IndexMessage.decode(from: &r))
        case .request: frame = .request(try ChunkRequest.decode(from: &r))
        case .response: frame = .response(try ChunkResponse.decode(from: &r))
        case .indexComplete:
            let folder = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "folder ID")
            frame = .indexComplete(folderID: folder, sequence: try r.sync { try $0.readUInt64() })
        case .ping: frame = .ping
        case .close: frame = .close(try Close.decode(from: &r))
        }
        guard r.isAtEnd else { throw .trailingBytes(r.remaining) }
        return frame
    }
}
