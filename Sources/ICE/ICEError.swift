/// Misuse of the ICE agent's API, or a failure it reports to its owner.
public enum ICEError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `send(data:now:)` before a pair is selected, or after consent was lost.
    case noSelectedPair
    /// The agent was closed.
    case closed
    /// A TURN server refused the allocation (wrong credentials, quota, …): code and reason.
    case turnAllocationFailed(server: String, code: Int, reason: String)
    /// A TURN or STUN server did not answer in time.
    case serverTimeout(server: String)

    public var description: String {
        switch self {
        case .noSelectedPair: return "no selected candidate pair (not connected, or consent expired)"
        case .closed: return "the ICE agent is closed"
        case .turnAllocationFailed(let server, let code, let reason):
            return "TURN allocation on \(server) failed: \(code) \(reason)"
        case .serverTimeout(let server): return "no answer from \(server)"
        }
    }
}

/// Why an SDP candidate line could not be parsed (RFC 8839 §5.1).
public enum ICEParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the eight mandatory fields.
    case missingFields(String)
    /// A field has a value the grammar does not allow.
    case badField(name: String, value: String)

    public var description: String {
        switch self {
        case .missingFields(let line): return "candidate line has too few fields: \(line)"
        case .badField(let name, let value): return "candidate \(name) is invalid: \(value)"
        }
    }
}
