import STUN
import WireKit

/// How the agent sends from a local candidate: straight from a host socket, or through a TURN
/// allocation (whose control traffic leaves from a host socket).
enum SendRoute: Hashable, Sendable {
    /// From the host socket bound to this address.
    case direct(socket: TransportAddress)
    /// Through the TURN allocation with this index.
    case relay(allocation: Int)
}

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

/// An outstanding STUN client transaction and why it was started.
struct PendingTransaction: Sendable {
    enum Purpose: Sendable, Equatable {
        /// A connectivity check of a pair in the current generation.
        case check(pairID: Int, nominate: Bool, generation: Int)
        /// A consent freshness check on the selected pair.
        case consent
        /// Server-reflexive discovery from a host socket.
        case serverReflexive(socket: TransportAddress, server: TransportAddress)
        /// A TURN request of an allocation.
        case turn(allocation: Int, request: TURNRequestKind)
    }

    var purpose: Purpose
    var transaction: STUNClientTransaction
    var route: SendRoute
    var destination: TransportAddress
    /// The key responses must be signed with (nil: none expected, as from a plain STUN server).
    var responseKey: STUNIntegrityKey?
}

/// The pair currently carrying data, kept outside the checklist so it survives an ICE restart.
struct SelectedPair: Sendable {
    var pair: CandidatePair
    var route: SendRoute
    /// The credentials of the generation the pair was selected in (consent checks use them).
    var local: ICECredentials
    var remote: ICECredentials
    var generation: Int
    var lastConsent: Instant
    var nextConsentCheck: Instant
    var consentInFlight = false
}
