import STUN
import WireKit

/// A local candidate together with what the agent needs to send from it.
struct LocalCandidate: Sendable {
    /// The candidate as signalled.
    var candidate: Candidate
    /// Where its packets leave from.
    var route: SendRoute
    /// Host, relayed and peer-reflexive candidates are paired; server-reflexive ones are only
    /// signalled (their base, the host candidate, is paired instead: §6.1.2.4).
    var isPairable: Bool { candidate.type != .serverReflexive }
}
