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
    /// Datagram PLPMTUD (RFC 8899 §6.2, RFC 8261 §5): SCTP starts at the packet size of
    /// ``dtlsMTU`` and probes larger ones (up to one full DTLS record, 16 KiB) on direct
    /// paths; relayed paths keep the base size. Off: ``dtlsMTU`` is the fixed size.
    public var pathMTUDiscovery: Bool
    /// SCTP tunables; ports, message sizes and the packet sizes are filled in by the connection.
    public var sctp: SCTPConfiguration
    /// ICE timers (check pacing, nomination delay, consent); other ICE fields come from above.
    public var iceCheckInterval: Duration
    /// How long the controlling side waits for better pairs before nominating.
    public var iceNominationDelay: Duration

    /// A configuration with browser-like defaults.
    public init(identity: DeviceIdentity, seed: UInt64, stunServers: [TransportAddress] = [], turnServers: [TURNServer] = [],
                iceTransportPolicy: ICETransportPolicy = .all, maxMessageSize: Int = 262_144, sctpPort: UInt16 = 5000,
                dtlsMTU: Int = 1200, pathMTUDiscovery: Bool = true, sctp: SCTPConfiguration = SCTPConfiguration(),
                iceCheckInterval: Duration = .milliseconds(50), iceNominationDelay: Duration = .milliseconds(200)) {
        self.identity = identity
        self.seed = seed
        self.stunServers = stunServers
        self.turnServers = turnServers
        self.iceTransportPolicy = iceTransportPolicy
        self.maxMessageSize = max(maxMessageSize, 262_144)
        self.sctpPort = sctpPort
        self.dtlsMTU = dtlsMTU
        self.pathMTUDiscovery = pathMTUDiscovery
        self.sctp = sctp
        self.iceCheckInterval = iceCheckInterval
        self.iceNominationDelay = iceNominationDelay
    }

    /// Room for the DTLS record header, explicit nonce and AEAD tag (37 bytes with AES-GCM).
    static let dtlsRecordOverhead = 40
    /// The largest SCTP packet one DTLS record carries (16384 bytes of plaintext).
    static let maxRecordPayload = 16_384

    /// The base SCTP packet size: what fits a ``dtlsMTU`` datagram.
    var baseSCTPPacketSize: Int { max(512, dtlsMTU - Self.dtlsRecordOverhead) }

    /// The largest DTLS record plaintext a peer that does not say otherwise is sent: Chromium
    /// reads application data into a 2048-byte buffer and fails its DTLS transport on a
    /// larger record ("short DTLS read"), so probes must stay below it.
    static let unannouncedRecordLimit = 2048

    /// The SCTP packet sizes PLPMTUD probes: what fits a 1500-byte (Ethernet), 9000-byte
    /// (jumbo) and 65535-byte (loopback) IPv6 link after UDP and DTLS, at most one record,
    /// and at most `peerRecordLimit` (the peer's `a=x-record-size-limit`; without one,
    /// ``unannouncedRecordLimit``).
    func pathMTUProbeSizes(peerRecordLimit: Int?) -> [Int] {
        guard pathMTUDiscovery else { return [] }
        let limit = min(Self.maxRecordPayload, peerRecordLimit ?? Self.unannouncedRecordLimit)
        return [1500, 9000, 65_535].map { min(Self.maxRecordPayload, $0 - 48 - Self.dtlsRecordOverhead) & ~3 }
            .filter { $0 > baseSCTPPacketSize && $0 <= limit }
    }

    /// The largest DTLS record plaintext (SCTP packet) we receive, announced to the peer as
    /// `a=x-record-size-limit` (RFC 8449's record_size_limit, carried in SDP): nil when
    /// PLPMTUD is off (the driver then reads datagrams of ``dtlsMTU`` only).
    var announcedRecordLimit: Int? { pathMTUDiscovery ? Self.maxRecordPayload : nil }

    /// The largest datagram the connection may receive or send: a driver sizes its socket
    /// reads to it.
    public var maxDatagramSize: Int {
        max(dtlsMTU, (announcedRecordLimit ?? 0) + Self.dtlsRecordOverhead)
    }
}
