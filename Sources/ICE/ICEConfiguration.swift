import WireKit

/// A TURN server and its long-term credentials (RFC 8656 §9.2).
public struct TURNServer: Hashable, Sendable {
    /// The server's UDP transport address.
    public var address: TransportAddress
    /// The long-term credential user name.
    public var username: String
    /// The long-term credential password.
    public var password: String

    /// Creates a TURN server entry.
    public init(address: TransportAddress, username: String, password: String) {
        self.address = address
        self.username = username
        self.password = password
    }
}

/// ICE username fragment and password (RFC 8445 §5.3).
public struct ICECredentials: Hashable, Sendable {
    /// The username fragment (ice-ufrag).
    public var ufrag: String
    /// The password (ice-pwd).
    public var password: String

    /// Creates credentials.
    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// Fresh random credentials: a 8-character ufrag (≥24 bits) and a 24-character password
    /// (≥128 bits) from the ice-char alphabet.
    public static func random<R: RandomNumberGenerator>(using rng: inout R) -> ICECredentials {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        func word(_ n: Int) -> String { String((0..<n).map { _ in alphabet[Int(UInt64.random(in: 0..<64, using: &rng))] }) }
        return ICECredentials(ufrag: word(8), password: word(24))
    }
}

/// Settings of an ``ICEAgent``. The defaults follow RFC 8445, RFC 7675 and common browser practice.
public struct ICEConfiguration: Sendable {
    /// The initial role (the offerer of a full-ICE session is controlling).
    public var role: ICERole
    /// STUN servers for server-reflexive candidates.
    public var stunServers: [TransportAddress]
    /// TURN servers for relayed candidates.
    public var turnServers: [TURNServer]
    /// Which candidates may be used.
    public var transportPolicy: ICETransportPolicy
    /// Seed of the agent's random generator (credentials, tie-breaker, transaction IDs, jitter).
    /// Drivers seed it from the system; tests fix it.
    public var seed: UInt64
    /// Fixed local credentials (random when nil).
    public var localCredentials: ICECredentials?
    /// Ta: the pacing interval between connectivity checks (§14.2; 50 ms default).
    public var checkInterval: Duration
    /// Retransmission of connectivity checks and server requests.
    public var checkRetransmission: STUNRetransmission
    /// Controlling side: how long after the first valid pair to wait for better pairs before
    /// nominating the best valid one.
    public var nominationDelay: Duration
    /// Controlling side: the same wait when the best valid pair is relayed and direct pairs are
    /// still being checked.
    public var relayNominationDelay: Duration
    /// Consent freshness: mean interval between consent checks (RFC 7675 §5.1: 5 s, randomised
    /// to 0.8–1.2 of it).
    public var consentInterval: Duration
    /// Consent freshness: no authenticated response for this long ends consent (RFC 7675: 30 s).
    public var consentExpiry: Duration
    /// No consent response for this long reports `disconnected` (recoverable).
    public var disconnectedTimeout: Duration
    /// Checking without any valid pair for this long reports `failed`.
    public var checkingTimeout: Duration
    /// When every pair has failed after both sides' end-of-candidates, how long to keep
    /// answering the peer's checks before reporting `failed`: a check from an address not yet
    /// known makes a peer-reflexive pair (§7.3.1.3) that may still succeed — a busy peer's first
    /// check can arrive after our own checks to its signalled candidates have failed.
    public var failureGrace: Duration = .seconds(5)
    /// Upper bound on the checklist size (§6.1.2.5).
    public var maxPairs: Int
    /// SOFTWARE attribute value sent in requests (nil: none).
    public var software: String?
    /// TURN allocation lifetime to request, in seconds.
    public var turnLifetime: UInt32

    /// Creates a configuration.
    public init(role: ICERole, stunServers: [TransportAddress] = [], turnServers: [TURNServer] = [],
                transportPolicy: ICETransportPolicy = .all, seed: UInt64, localCredentials: ICECredentials? = nil,
                checkInterval: Duration = .milliseconds(50), checkRetransmission: STUNRetransmission = .init(),
                nominationDelay: Duration = .milliseconds(200), relayNominationDelay: Duration = .seconds(1), consentInterval: Duration = .seconds(5),
                consentExpiry: Duration = .seconds(30), disconnectedTimeout: Duration = .seconds(10),
                checkingTimeout: Duration = .seconds(30), maxPairs: Int = 100, software: String? = "PeerSync",
                turnLifetime: UInt32 = 600) {
        self.role = role
        self.stunServers = stunServers
        self.turnServers = turnServers
        self.transportPolicy = transportPolicy
        self.seed = seed
        self.localCredentials = localCredentials
        self.checkInterval = checkInterval
        self.checkRetransmission = checkRetransmission
        self.nominationDelay = nominationDelay
        self.relayNominationDelay = relayNominationDelay
        self.consentInterval = consentInterval
        self.consentExpiry = consentExpiry
        self.disconnectedTimeout = disconnectedTimeout
        self.checkingTimeout = checkingTimeout
        self.maxPairs = maxPairs
        self.software = software
        self.turnLifetime = turnLifetime
    }
}

/// Retransmission settings of ICE's STUN transactions: RTO 500 ms doubling up to `maxRTO`,
/// `maxTransmissions` sends, a final wait of `finalWaitMultiplier` × RTO (≈ 10 s in all by
/// default, shorter than RFC 8489's 39.5 s so failed pairs are given up in browser-like time).
public struct STUNRetransmission: Sendable, Equatable {
    /// Initial RTO.
    public var initialRTO: Duration
    /// Cap on the doubled RTO.
    public var maxRTO: Duration
    /// Rc.
    public var maxTransmissions: Int
    /// Rm.
    public var finalWaitMultiplier: Int

    /// Creates retransmission settings.
    public init(initialRTO: Duration = .milliseconds(500), maxRTO: Duration = .milliseconds(1600),
                maxTransmissions: Int = 7, finalWaitMultiplier: Int = 4) {
        self.initialRTO = initialRTO
        self.maxRTO = maxRTO
        self.maxTransmissions = maxTransmissions
        self.finalWaitMultiplier = finalWaitMultiplier
    }
}
