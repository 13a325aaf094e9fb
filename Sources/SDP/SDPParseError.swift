/// Why a session description could not be parsed.
///
/// Every error names the 1-based line number and the offending line's text, so a peer's
/// malformed SDP can be reported precisely ("line 7 `a=sctp-port:x`: …").
public struct SDPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based number of the line that was rejected (for input that ended too early,
    /// one past the last line).
    public let line: Int
    /// The rejected line's text without its line ending (empty when the input ended early).
    public let content: String
    /// What was wrong with it.
    public let reason: Reason

    /// What was wrong with a line.
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        /// The input held no lines at all.
        case empty
        /// The bytes are not UTF-8, or hold NUL or a bare carriage return.
        case invalidCharacters
        /// The line is not `<letter>=<value>`.
        case notTypeEqualsValue
        /// The type letter is not one RFC 8866 defines (the RFC says to reject such SDP).
        case unknownType(Character)
        /// A line of a known type stands where it is not allowed (order, repetition, level).
        case unexpected(String)
        /// A required line is missing (`v=`, `o=`, `s=`, `t=`).
        case missing(Character)
        /// The line's value does not follow its grammar.
        case invalidValue(String)
        /// The description exceeds a size limit of this parser.
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: return "no lines"
            case .invalidCharacters: return "invalid characters (not UTF-8, NUL or bare CR)"
            case .notTypeEqualsValue: return "not a <type>=<value> line"
            case .unknownType(let c): return "unknown line type '\(c)'"
            case .unexpected(let why): return "unexpected line: \(why)"
            case .missing(let c): return "missing required '\(c)=' line"
            case .invalidValue(let why): return "invalid value: \(why)"
            case .tooLarge(let why): return "too large: \(why)"
            }
        }
    }

    /// An error for line `line` holding `content`.
    public init(line: Int, content: String, reason: Reason) {
        self.line = line
        self.content = content
        self.reason = reason
    }

    public var description: String {
        "SDP line \(line) `\(content)`: \(reason)"
    }
}

/// Why an attribute's value does not follow its grammar (wrapped into ``SDPParseError``
/// with the line number by the session parser).
public struct SDPAttributeValueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A human-readable reason naming the attribute.
    public let reason: String
    /// An error with the given reason.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
