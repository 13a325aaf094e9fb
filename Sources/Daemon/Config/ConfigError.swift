/// A configuration problem, said so that the person can fix it.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The named file does not exist.
    case missing(path: String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid JSON.
    case syntax(path: String, reason: String)
    /// A key nobody knows (likely a typo).
    case unknownKey(source: String, key: String, suggestion: String?)
    /// A value of the wrong type or out of range.
    case invalidValue(source: String, key: String, reason: String)

    /// The message.
    public var description: String {
        switch self {
        case .missing(let path):
            return "configuration file \(path) does not exist: create it (see Config/syncd.example.json) or drop --config"
        case .unreadable(let path, let reason):
            return "cannot read configuration file \(path): \(reason)"
        case .syntax(let path, let reason):
            return "configuration file \(path) is not valid JSON (comments with // are allowed): \(reason)"
        case .unknownKey(let source, let key, let suggestion):
            return "unknown key \"\(key)\" in \(source)" + (suggestion.map { ": did you mean \"\($0)\"?" } ?? ": see Config/syncd.example.json for the keys")
        case .invalidValue(let source, let key, let reason):
            return "bad value for \"\(key)\" in \(source): \(reason)"
        }
    }
}
