import DTLS
import ICE
import SCTP
import WireKit

/// Settings of a ``PeerConnection`` (W3C `RTCConfiguration` plus the knobs a sans-IO core needs).
public struct PeerConnectionConfiguration: Sendable {
    /// The DTLS certificate and key (W3C `certificates`); its fingerprint goes into the SDP.
    public var identity: DeviceIdentity
    /// STUN servers (W3C `iceServers` with `stun:` URLs).
    public var stunServers: [TransportAddress]
    /// TURN servers (W3C `iceServers` with `turn:` URLs).
    public var turnServers: [TURNServer]
    /// W3C `iceTransportPolicy`.
    public var iceTransportPolicy: ICETransportPolicy
    /// Seeds every random choice (ICE credentials, tie-breaker, SCTP tags, session id).
    /// Drivers use a system-random seed; tests a fixed one.
    public var seed: UInt64
    /// The `a=max-message-size` we advertise, and the largest message we accept
    /// (at least 262144, per the project's requirement).
    public var maxMessageSize: Int
    /// Our `a=sctp-port`.
    public var sctpPort: UInt16
    /// The largest UDP payload DTLS sends (handshake flights are fragmented to fit).
    public var dtlsMTU: Int
    /// SCTP tunables; ports, message sizes and the packet size are filled in by the connection.
    public var sctp: SCTPConfiguration
    /// ICE timers (check pacing, nomination delay, consent); other ICE fields come from above.
    public var iceCheckInterval: Duration
    /// How long the controlling side waits for better pairs before nominating.
    public var iceNominationDelay: Duration

    /// A configuration with browser-like defaults.
    public init(identity: DeviceIdentity, seed: UInt64, stunServers: [TransportAddress] = [], turnServers: [TURNServer] = [],
                iceTransportPolicy: ICETransportPolicy = .all, maxMessageSize: Int = 262_144, sctpPort: UInt16 = 5000,
                dtlsMTU: Int = 1200, sctp: SCTPConfiguration = SCTPConfiguration(),
                iceCheckInterval: Duration = .milliseconds(50), iceNominationDelay: Duration = .milliseconds(200)) {
        self.identity = identity
        self.seed = seed
        self.stunServers = stunServers
        self.turnServers = turnServers
        self.iceTransportPolicy = iceTransportPolicy
        self.maxMessageSize = max(maxMessageSize, 262_144)
        self.sctpPort = sctpPort
        self.dtlsMTU = dtlsMTU
        self.sctp = sctp
        self.iceCheckInterval = iceCheckInterval
        self.iceNominationDelay = iceNominationDelay
    }
}
