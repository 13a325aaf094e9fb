/// Why a frame was rejected. ``errorCode`` is what a server answers with.
public enum SignalingParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame exceeds ``SignalingLimits/maxFrameBytes``.
    case tooLarge(Int)
    /// Not a JSON object with a string `type`, or a field of the wrong JSON type.
    case invalidJSON(String)
    /// The `type` is not one this protocol version defines.
    case unknownType(String)
    /// A field breaks its rule (format, length, range).
    case invalidField(String, String)
    /// A frame type that the other side never sends (e.g. a client sending `challenge`).
    case wrongDirection(String)

    /// The error code a server replies with.
    public var errorCode: SignalingErrorCode {
        switch self {
        case .tooLarge: return .frameTooLarge
        case .invalidJSON, .invalidField: return .badFrame
        case .unknownType, .wrongDirection: return .unknownType
        }
    }

    public var description: String {
        switch self {
        case .tooLarge(let n): return "frame of \(n) bytes exceeds \(SignalingLimits.maxFrameBytes)"
        case .invalidJSON(let why): return "invalid JSON frame: \(why)"
        case .unknownType(let t): return "unknown frame type '\(t)'"
        case .invalidField(let field, let why): return "invalid field '\(field)': \(why)"
        case .wrongDirection(let t): return "frame type '\(t)' is not sent in this direction"
        }
    }
}
