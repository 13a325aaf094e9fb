import WireKit

/// Why an SCTP packet or chunk received from the peer could not be parsed.
///
/// Parsers of untrusted input report one of these instead of trapping; the association
/// drops the packet and counts it (see ``SCTPStatistics``).
public enum SCTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The packet is shorter than the 12-byte common header.
    case tooShort(Int)
    /// The CRC-32C in the common header does not match the packet.
    case badChecksum(expected: UInt32, received: UInt32)
    /// A chunk or parameter length field is impossible (below its header size or past the end).
    case badLength(String)
    /// A field or combination of fields the protocol does not allow.
    case malformed(String)
    /// A lower-level read failed (truncated field).
    case wire(WireParseError)

    public var description: String {
        switch self {
        case .tooShort(let n): return "SCTP packet of \(n) bytes is shorter than the common header"
        case .badChecksum(let e, let r): return "bad CRC-32C: computed \(e), received \(r)"
        case .badLength(let why): return "bad length: \(why)"
        case .malformed(let why): return "malformed: \(why)"
        case .wire(let e): return e.description
        }
    }
}

extension SCTPParseError {
    /// Runs `body`, converting a ``WireParseError`` into ``SCTPParseError/wire(_:)``.
    @inlinable static func wrap<T>(_ body: () throws(WireParseError) -> T) throws(SCTPParseError) -> T {
        do { return try body() } catch { throw .wire(error) }
    }
}
