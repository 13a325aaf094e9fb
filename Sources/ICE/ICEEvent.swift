import WireKit

/// What an ``ICEAgent`` reports through `pollEvent()`.
public enum ICEEvent: Sendable, Equatable {
    /// A local candidate to signal to the peer (trickle ICE, RFC 8838).
    case candidateGathered(Candidate)
    /// Gathering moved on; `.complete` means end-of-candidates can be signalled.
    case gatheringStateChanged(ICEGatheringState)
    /// The connection state moved on.
    case connectionStateChanged(ICEConnectionState)
    /// The pair used for data changed (first selection, ICE restart, a better nomination).
    case selectedPairChanged(local: Candidate, remote: Candidate)
    /// The agent switched role after a role conflict (RFC 8445 §7.3.1.1).
    case roleChanged(ICERole)
    /// A datagram for the layer above (DTLS, SRTP…): anything that is not STUN or TURN.
    case data([UInt8])
    /// A TURN server refused or did not answer; the relay candidate from it is missing.
    case serverError(ICEError)
    /// A diagnostic for debug logs (e.g. an ignored mDNS candidate). Never carries secrets.
    case debug(String)
}

/// Counters an agent keeps for statistics and tests.
public struct ICECounters: Sendable, Equatable {
    /// Connectivity checks sent (including retransmissions).
    public var checksSent = 0
    /// Binding requests received from the peer.
    public var checksReceived = 0
    /// Role conflicts detected.
    public var roleConflicts = 0
    /// Remote `.local` candidates ignored because no address was known for them.
    public var mdnsCandidatesIgnored = 0
    /// STUN messages dropped (bad integrity, unknown transaction, parse errors).
    public var stunDropped = 0
    /// Application datagrams sent and received.
    public var dataSent = 0
    /// Application datagrams received.
    public var dataReceived = 0
    /// Consent checks sent.
    public var consentChecksSent = 0
}
