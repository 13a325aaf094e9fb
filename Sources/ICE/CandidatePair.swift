import WireKit

/// A local and a remote candidate that connectivity checks test together (RFC 8445 §6.1.2).
public struct CandidatePair: Hashable, Sendable, CustomStringConvertible {
    /// The state of a pair in the checklist (§6.1.2.6).
    public enum State: String, Hashable, Sendable {
        /// Waiting for a pair of the same foundation to succeed.
        case frozen
        /// Ready to be checked.
        case waiting
        /// A check is outstanding.
        case inProgress = "in-progress"
        /// A check succeeded: the pair is valid.
        case succeeded
        /// Checks failed.
        case failed
    }

    /// A stable identifier within one agent.
    public let id: Int
    /// The local candidate (a host, relayed or peer-reflexive base, never server-reflexive).
    public var local: Candidate
    /// The remote candidate.
    public var remote: Candidate
    /// The pair's state.
    public var state: State = .frozen
    /// True once the pair is nominated (USE-CANDIDATE sent and answered, or received and valid).
    public var nominated = false
    /// The pair priority for the agent's current role (§6.1.2.3).
    public internal(set) var priority: UInt64 = 0
    /// The latest round-trip time measured by a check, if any.
    public internal(set) var roundTripTime: Duration?

    /// Index of the local candidate in the agent's table.
    let localIndex: Int
    /// The controlled side got USE-CANDIDATE before the pair was valid: nominate on success.
    var nominateOnSuccess = false

    init(id: Int, local: Candidate, localIndex: Int, remote: Candidate, role: ICERole) {
        self.id = id
        self.local = local
        self.localIndex = localIndex
        self.remote = remote
        updatePriority(role: role)
    }

    /// The foundation of the pair: the two candidates' foundations together.
    public var foundation: String { local.foundation + "/" + remote.foundation }

    /// Recomputes ``priority`` for `role`: 2^32·min(G,D) + 2·max(G,D) + (G>D ? 1 : 0), where G is
    /// the controlling agent's candidate priority and D the controlled agent's.
    mutating func updatePriority(role: ICERole) {
        priority = Self.priority(local: local.priority, remote: remote.priority, role: role)
    }

    /// The pair priority formula of RFC 8445 §6.1.2.3.
    public static func priority(local: UInt32, remote: UInt32, role: ICERole) -> UInt64 {
        let g = UInt64(role == .controlling ? local : remote)
        let d = UInt64(role == .controlling ? remote : local)
        return (min(g, d) << 32) + 2 * max(g, d) + (g > d ? 1 : 0)
    }

    public var description: String {
        "\(local.type.rawValue) \(local.address) -> \(remote.type.rawValue) \(remote.address) [\(state.rawValue)\(nominated ? ", nominated" : "")]"
    }
}
