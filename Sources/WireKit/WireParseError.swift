/// Why bytes from the wire could not be parsed.
///
/// Every parser of untrusted input reports one of these instead of trapping.
public enum WireParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field of `needed` bytes; only `available` were left.
    case truncated(needed: Int, available: Int)
    /// A field held a value the format does not allow.
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "input truncated: needed \(needed) bytes, \(available) left"
        case .malformed(let why):
            return "malformed input: \(why)"
        }
    }
}
