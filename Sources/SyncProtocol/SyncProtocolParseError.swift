import WireKit

/// Why a frame received from a peer was rejected.
///
/// Every decoder in this module reports one of these for hostile or broken input; none traps.
public enum SyncProtocolParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended early or a field was malformed at the byte level.
    case wire(WireParseError)
    /// The frame's protocol version is not one this build speaks.
    case unsupportedVersion(UInt8)
    /// The frame's message type is unknown.
    case unknownMessageType(UInt8)
    /// The frame is larger than ``FrameLimits/maxFrameBytes`` (or its length field lies).
    case frameTooLarge(Int)
    /// A count, size or length exceeded a limit in ``FrameLimits``.
    case limitExceeded(String)
    /// A path failed ``PathPolicy`` validation.
    case invalidPath(PathViolation)
    /// A field held a value that is well-formed bytes but not allowed by the protocol.
    case invalidField(String)
    /// Compressed chunk data was corrupt, or would expand beyond its announced size.
    case decompression(String)
    /// Bytes were left over after the message body.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .wire(let e): return "sync frame: \(e)"
        case .unsupportedVersion(let v): return "sync frame: unsupported version \(v)"
        case .unknownMessageType(let t): return "sync frame: unknown message type \(t)"
        case .frameTooLarge(let n): return "sync frame: \(n) bytes exceeds the frame limit"
        case .limitExceeded(let why): return "sync frame: limit exceeded: \(why)"
        case .invalidPath(let v): return "sync frame: invalid path: \(v)"
        case .invalidField(let why): return "sync frame: invalid field: \(why)"
        case .decompression(let why): return "sync frame: decompression failed: \(why)"
        case .trailingBytes(let n): return "sync frame: \(n) trailing bytes"
        }
    }
}

extension ByteReader {
    /// Runs a WireKit read and maps its error into ``SyncProtocolParseError``.
    mutating func sync<T>(_ body: (inout ByteReader) throws -> T) throws(SyncProtocolParseError) -> T {
        do { return try body(&self) } catch let error as WireParseError { throw .wire(error) } catch {
            throw .wire(.malformed("\(error)"))
        }
    }

    /// Reads a string with a 16-bit length prefix, at most `maxBytes` long.
    mutating func readString16(maxBytes: Int, field: String) throws(SyncProtocolParseError) -> String {
        let n = Int(try sync { try $0.readUInt16() })
        guard n <= maxBytes else { throw .limitExceeded("\(field) is \(n) bytes (max \(maxBytes))") }
        return try sync { try $0.readUTF8(n) }
    }

    /// Reads a 32-byte SHA-256 digest.
    mutating func readHash() throws(SyncProtocolParseError) -> ContentHash {
        let bytes = try sync { try $0.readSlice(32) }
        guard let hash = ContentHash(bytes: bytes) else { throw .invalidField("hash") }
        return hash
    }
}

extension ByteWriter {
    /// Writes a string with a 16-bit length prefix (callers keep strings under 64 KiB).
    mutating func writeString16(_ s: String) {
        let utf8 = Array(s.utf8)
        precondition(utf8.count <= Int(UInt16.max), "string field longer than 65535 bytes")
        writeUInt16(UInt16(utf8.count))
        writeBytes(utf8)
    }

    /// Writes a 32-byte digest.
    mutating func writeHash(_ h: ContentHash) { writeBytes(h.bytes) }
}
