import WireKit

/// Why received bytes are not a valid STUN message (RFC 8489 §5, §14).
///
/// Parsing never traps: every malformed input maps to one of these.
public enum STUNParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than a field needs.
    case truncated(needed: Int, available: Int)
    /// The first two bits are not zero or the magic cookie is wrong: not STUN.
    case notSTUN
    /// The header's length field disagrees with the datagram size or is not a multiple of 4.
    case badLength(declared: Int, actual: Int)
    /// An attribute value has the wrong size or content.
    case badAttribute(type: UInt16, reason: String)
    /// Something after FINGERPRINT, or another structural violation.
    case malformed(String)

    init(_ wire: WireParseError) {
        switch wire {
        case .truncated(let needed, let available): self = .truncated(needed: needed, available: available)
        case .malformed(let why): self = .malformed(why)
        }
    }

    public var description: String {
        switch self {
        case .truncated(let needed, let available): return "STUN truncated: needed \(needed) bytes, \(available) left"
        case .notSTUN: return "not a STUN message"
        case .badLength(let declared, let actual): return "STUN length \(declared) does not fit a \(actual)-byte datagram"
        case .badAttribute(let type, let reason): return "STUN attribute 0x\(String(type, radix: 16)): \(reason)"
        case .malformed(let why): return "malformed STUN: \(why)"
        }
    }
}
