/// Tunables of an ``SCTPAssociation``. Defaults follow what WebRTC stacks use (dcsctp, usrsctp).
public struct SCTPConfiguration: Sendable {
    /// Our SCTP port (from SDP `a=sctp-port`, default 5000).
    public var localPort: UInt16 = 5000
    /// The peer's SCTP port.
    public var remotePort: UInt16 = 5000
    /// Largest SCTP packet we build, in bytes. 1200 leaves room for DTLS, UDP and IP headers
    /// on a 1280-byte IPv6 path (dcsctp uses 1191 for the same reason).
    public var maxPacketSize: Int = 1200
    /// Larger packet sizes to try by Datagram PLPMTUD (RFC 8899 §6.2, as RFC 8261 §5 asks
    /// of SCTP over DTLS): once established, HEARTBEAT probes padded to each size (RFC 4820
    /// PAD chunk) are sent in ascending order, and every acknowledged one raises the packet
    /// size; ``maxPacketSize`` stays the base size (BASE_PLPMTU) that is always allowed.
    /// DATA chunks are cut to fit the base size and bundled up to the raised size, so a path
    /// whose MTU shrinks (a black hole) can still carry every outstanding chunk. Empty: off.
    public var pathMTUProbeSizes: [Int] = []
    /// How long a probe waits for its HEARTBEAT ACK (RFC 8899 PROBE_TIMER, at least 1 s).
    public var pathMTUProbeTimeout: Duration = .seconds(1)
    /// Unanswered probes of one size before that size counts as too large (RFC 8899 MAX_PROBES).
    public var pathMTUMaxProbes: Int = 3
    /// How long a completed search waits before trying larger sizes again (RFC 8899
    /// PMTU_RAISE_TIMER: 600 s).
    public var pathMTURaiseInterval: Duration = .seconds(600)
    /// Our receive window (a_rwnd) in bytes; bounds reassembly and undelivered messages.
    /// At least 1 MiB so a 50 ms path can run at 160 Mbit/s.
    public var receiveWindow: Int = 4 * 1024 * 1024
    /// Largest message we accept from the peer (SDP `a=max-message-size` we advertise is at
    /// least 256 KiB; larger ones are accepted up to this bound). Must not exceed the window.
    public var maxReceiveMessageSize: Int = 1024 * 1024
    /// Largest message we send (the peer's SDP `a=max-message-size`; 0 there means no limit,
    /// which the caller maps to a large value).
    public var maxSendMessageSize: Int = 256 * 1024
    /// Cap on bytes queued (not yet handed to the network) per stream; `send` throws beyond it.
    public var maxStreamSendQueue: Int = 16 * 1024 * 1024
    /// Number of outbound and inbound streams we offer.
    public var streams: UInt16 = 65535
    /// Initial retransmission timeout. RFC 9260 says 1 s; WebRTC stacks use less
    /// (dcsctp 500 ms), since data channels mostly run on paths with known RTTs.
    public var rtoInitial: Duration = .milliseconds(500)
    /// Lower bound of the RTO (RFC 9260 says 1 s, which stalls data channels after a loss;
    /// 200 ms matches Linux TCP's floor and keeps spurious timeouts rare thanks to RTTVAR).
    public var rtoMin: Duration = .milliseconds(200)
    /// Upper bound of the RTO (RFC 9260: 60 s).
    public var rtoMax: Duration = .seconds(60)
    /// Delayed-SACK timeout (RFC 9260: at most 500 ms, 200 ms recommended).
    public var delayedAckTimeout: Duration = .milliseconds(200)
    /// Heartbeat interval on an idle association (dcsctp: 30 s).
    public var heartbeatInterval: Duration = .seconds(30)
    /// Consecutive unanswered retransmissions (T3, heartbeat) before the association aborts.
    public var maxRetransmissions: Int = 10
    /// INIT / COOKIE ECHO retransmissions before giving up (RFC 9260 Max.Init.Retransmits: 8).
    public var maxInitRetransmissions: Int = 8
    /// Lifetime of the state cookie we hand out (RFC 9260 Valid.Cookie.Life: 60 s).
    public var cookieLifetime: Duration = .seconds(60)
    /// Largest lifetime increment granted to a peer's Cookie Preservative (RFC 9260 §5.2.6)
    /// after its cookie went stale on a slow path; 0 refuses them.
    public var maxCookieLifetimeExtension: Duration = .seconds(10)
    /// Max.Burst: new packets sent in reply to one SACK (RFC 9260: 4).
    public var maxBurst: Int = 4
    /// Initial congestion window in packets (RFC 9260 uses min(4 MTU, max(2 MTU, 4380));
    /// modern stacks start at 10 MTU, as RFC 6928 does for TCP).
    public var initialCwndPackets: Int = 10
    /// Offer I-DATA (RFC 8260) in Supported Extensions; it is used only when the peer lists it
    /// too (Chromium and aiortc do not, and keep using DATA).
    public var enableInterleaving = true
    /// RFC 9653 zero checksum: the alternate error detection method this endpoint runs under
    /// (``InitChunk/zeroChecksumOverDTLS`` when SCTP is carried in DTLS, whose AEAD already
    /// authenticates every packet), announced in INIT and INIT ACK. Packets with a zero checksum
    /// are then accepted, and once the peer announced the same method, DATA/SACK packets are
    /// sent without computing the CRC-32C. nil: CRC-32C only.
    public var zeroChecksumMethod: UInt32?
    /// Secret key for the state cookie HMAC. The driver fills it from a CSPRNG; at least 16 bytes.
    public var cookieSecret: [UInt8] = Array(repeating: 0x5A, count: 32)
    /// Seed for verification tags and initial TSNs. The driver passes a random seed; tests a fixed one.
    public var randomSeed: UInt64 = 1

    /// The defaults.
    public init() {}
}
