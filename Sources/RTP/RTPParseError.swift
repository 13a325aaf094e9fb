import WireKit

/// Why bytes received as RTP or RTCP could not be parsed.
///
/// Every RTP/RTCP parser reports one of these for hostile or broken input instead of trapping.
public enum RTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field was complete.
    case truncated(needed: Int, available: Int)
    /// The version field was not 2.
    case badVersion(UInt8)
    /// The padding count was zero or longer than the packet.
    case badPadding(count: Int)
    /// A header extension was malformed (bad length or element).
    case badHeaderExtension(String)
    /// An RTCP length field did not match the bytes present.
    case badLength(String)
    /// A field held a value the format forbids.
    case malformed(String)

    init(_ wire: WireParseError) {
        switch wire {
        case .truncated(let needed, let available): self = .truncated(needed: needed, available: available)
        case .malformed(let why): self = .malformed(why)
        }
    }

    public var description: String {
        switch self {
        case .truncated(let n, let a): return "RTP/RTCP truncated: needed \(n) bytes, \(a) left"
        case .badVersion(let v): return "RTP/RTCP version \(v), expected 2"
        case .badPadding(let c): return "bad padding count \(c)"
        case .badHeaderExtension(let why): return "bad header extension: \(why)"
        case .badLength(let why): return "bad RTCP length: \(why)"
        case .malformed(let why): return "malformed RTP/RTCP: \(why)"
        }
    }
}

extension ByteReader {
    // Readers that report ``RTPParseError`` directly, so RTP/RTCP parsers throw one error type.
    mutating func u8() throws(RTPParseError) -> UInt8 {
        do { return try readUInt8() } catch { throw RTPParseError(error) }
    }
    mutating func u16() throws(RTPParseError) -> UInt16 {
        do { return try readUInt16() } catch { throw RTPParseError(error) }
    }
    mutating func u24() throws(RTPParseError) -> UInt32 {
        do { return try readUInt24() } catch { throw RTPParseError(error) }
    }
    mutating func u32() throws(RTPParseError) -> UInt32 {
        do { return try readUInt32() } catch { throw RTPParseError(error) }
    }
    mutating func u64() throws(RTPParseError) -> UInt64 {
        do { return try readUInt64() } catch { throw RTPParseError(error) }
    }
    mutating func bytes(_ n: Int) throws(RTPParseError) -> [UInt8] {
        do { return try readBytes(n) } catch { throw RTPParseError(error) }
    }
    mutating func skipBytes(_ n: Int) throws(RTPParseError) {
        do { try skip(n) } catch { throw RTPParseError(error) }
    }
}
