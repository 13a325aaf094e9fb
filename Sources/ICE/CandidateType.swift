/// The type of an ICE candidate (RFC 8445 §5.1.1) and its recommended type preference (§5.1.2.2).
public enum CandidateType: String, Hashable, Sendable, CaseIterable {
    /// An address of a local interface.
    case host
    /// A NAT mapping learnt from a STUN server.
    case serverReflexive = "srflx"
    /// A NAT mapping learnt from a connectivity check.
    case peerReflexive = "prflx"
    /// An address on a TURN server.
    case relayed = "relay"

    /// The type preference: host 126, peer-reflexive 110, server-reflexive 100, relayed 0.
    public var typePreference: UInt32 {
        switch self {
        case .host: return 126
        case .peerReflexive: return 110
        case .serverReflexive: return 100
        case .relayed: return 0
        }
    }
}

/// The controlling or controlled role of an agent (RFC 8445 §6.1.1).
public enum ICERole: String, Hashable, Sendable {
    /// Nominates the pair to use.
    case controlling
    /// Follows the peer's nomination.
    case controlled

    /// The other role.
    public var opposite: ICERole { self == .controlling ? .controlled : .controlling }
}

/// Which candidates the agent may use (W3C `RTCIceTransportPolicy`).
public enum ICETransportPolicy: String, Hashable, Sendable {
    /// Host, server-reflexive and relay candidates.
    case all
    /// Only relay candidates: the peer never learns a local or reflexive address.
    case relay
}

/// The state of the agent's connectivity (W3C `RTCIceTransportState`).
public enum ICEConnectionState: String, Hashable, Sendable {
    /// Gathering or waiting for remote candidates; no checks yet.
    case new
    /// Checks are in progress, no pair selected yet.
    case checking
    /// A pair is selected; checks may still continue.
    case connected
    /// A pair is selected and checking is over.
    case completed
    /// Consent on the selected pair has not been refreshed for a while; may recover.
    case disconnected
    /// Every pair failed, or consent expired: no connectivity.
    case failed
    /// The agent was closed.
    case closed
}

/// The state of local candidate gathering (W3C `RTCIceGatheringState`).
public enum ICEGatheringState: String, Hashable, Sendable {
    /// Gathering has not started.
    case new
    /// Waiting for STUN/TURN servers.
    case gathering
    /// Every local candidate is known.
    case complete
}
