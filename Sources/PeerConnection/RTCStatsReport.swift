/// One value in an ``RTCStats`` object.
public enum RTCStatsValue: Hashable, Sendable, CustomStringConvertible {
    /// A counter or identifier number.
    case int(Int)
    /// A measurement (seconds, rates).
    case double(Double)
    /// A name, state or reference to another stats id.
    case string(String)
    /// A flag.
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return "\"\(v)\""
        case .bool(let v): return String(v)
        }
    }
}

/// One stats object, like W3C `RTCStats`: an id, a type, a timestamp (ms) and named fields
/// spelled as in webrtc-stats (`bytesSent`, `currentRoundTripTime`, …).
public struct RTCStats: Hashable, Sendable {
    /// Unique id within the report.
    public var id: String
    /// W3C `RTCStatsType` (`transport`, `candidate-pair`, `local-candidate`, `remote-candidate`,
    /// `certificate`, `data-channel`, `peer-connection`).
    public var type: String
    /// Milliseconds on the connection's clock.
    public var timestamp: Double
    /// The other fields.
    public var values: [String: RTCStatsValue]

    /// A stats object.
    public init(id: String, type: String, timestamp: Double, values: [String: RTCStatsValue]) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.values = values
    }

    /// A field's value.
    public subscript(_ key: String) -> RTCStatsValue? { values[key] }

    /// An integer field, or nil.
    public func int(_ key: String) -> Int? { if case .int(let v)? = values[key] { return v } else { return nil } }

    /// The object as a JSON object text (keys sorted).
    public var json: String {
        var fields = ["\"id\":\"\(id)\"", "\"type\":\"\(type)\"", "\"timestamp\":\(timestamp)"]
        for key in values.keys.sorted() {
            guard let v = values[key] else { continue }
            switch v {
            case .string(let s):
                let escaped = s.replacingBackslashesAndQuotes()
                fields.append("\"\(key)\":\"\(escaped)\"")
            default:
                fields.append("\"\(key)\":\(v)")
            }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// W3C `RTCStatsReport`: stats objects by id.
public struct RTCStatsReport: Sendable {
    /// The objects by id.
    public var stats: [String: RTCStats]

    /// A report.
    public init(stats: [String: RTCStats]) { self.stats = stats }

    /// The object with `id`.
    public subscript(_ id: String) -> RTCStats? { stats[id] }

    /// Every object of `type`, ordered by id.
    public func all(ofType type: String) -> [RTCStats] {
        stats.values.filter { $0.type == type }.sorted { $0.id < $1.id }
    }
}

extension String {
    func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for ch in self {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
