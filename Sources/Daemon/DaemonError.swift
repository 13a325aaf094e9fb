/// An error from a daemon operation, mapped to an HTTP status by the control API.
public enum DaemonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed or names something invalid (400).
    case badRequest(String, hint: String?)
    /// The thing named does not exist (404).
    case notFound(String, hint: String?)
    /// The request conflicts with the current state (409).
    case conflict(String, hint: String?)
    /// A feature this build does not provide yet (501).
    case unavailable(String, hint: String?)
    /// A file-system or database failure (500).
    case io(String)

    /// The HTTP status for the control API.
    public var httpStatus: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .conflict: return 409
        case .unavailable: return 501
        case .io: return 500
        }
    }

    /// What happened.
    public var message: String {
        switch self {
        case .badRequest(let m, _), .notFound(let m, _), .conflict(let m, _), .unavailable(let m, _): return m
        case .io(let m): return m
        }
    }

    /// What to do.
    public var hint: String? {
        switch self {
        case .badRequest(_, let h), .notFound(_, let h), .conflict(_, let h), .unavailable(_, let h): return h
        case .io: return "see the log (`syncctl logs`) for details"
        }
    }

    /// The message and hint.
    public var description: String { hint.map { "\(message): \($0)" } ?? message }
}
