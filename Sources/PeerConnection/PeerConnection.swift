import DataChannel
import DequeModule
import DTLS
import ICE
import SCTP
import SDP
import WireKit

/// A WebRTC peer connection for data channels (W3C webrtc-pc semantics), as a sans-IO core.
///
/// It composes an ``ICEAgent`` (connectivity), a ``DTLSEndpoint`` running over the ICE
/// selected pair (datagrams told apart by their first byte, RFC 7983), and an SCTP
/// association with data channels (``DataChannelManager``) carried in DTLS application data
/// (RFC 8261). Offers and answers follow JSEP (RFC 8829) with one BUNDLEd
/// `m=application … UDP/DTLS/SCTP webrtc-datachannel` section; audio/video sections from the
/// peer are answered as rejected (port 0) until the media stack lands.
///
/// Inputs: ``handle(datagram:source:destination:now:)``, ``handle(timeout:)`` and the JSEP
/// and data channel calls. Outputs: ``pollTransmit()``, ``pollEvent()``, ``pollTimeout()``.
/// After every input drain transmits and events, then re-arm the timer with `pollTimeout()`.
///
/// Time is virtual everywhere except inside OpenSSL's DTLS handshake retransmission timer
/// (see ``DTLSEndpoint``): once DTLS is connected every timer is driven by `now`.
///
/// Not thread-safe: one connection belongs to one driver (or one test).
public final class PeerConnection {
    /// The configuration it was made with.
    public let configuration: PeerConnectionConfiguration

    // MARK: W3C state

    /// W3C `signalingState`.
    public internal(set) var signalingState: SignalingState = .stable
    /// W3C `iceGatheringState`.
    public internal(set) var iceGatheringState: ICEGatheringState = .new
    /// W3C `iceConnectionState`.
    public internal(set) var iceConnectionState: ICEConnectionState = .new
    /// W3C `connectionState`.
    public internal(set) var connectionState: PeerConnectionState = .new
    /// W3C `currentLocalDescription`.
    public internal(set) var currentLocalDescription: SessionDescriptionInit?
    /// W3C `pendingLocalDescription`.
    public internal(set) var pendingLocalDescription: SessionDescriptionInit?
    /// W3C `currentRemoteDescription`.
    public internal(set) var currentRemoteDescription: SessionDescriptionInit?
    /// W3C `pendingRemoteDescription`.
    public internal(set) var pendingRemoteDescription: SessionDescriptionInit?
    /// W3C `localDescription`: the pending one if any, else the current one.
    public var localDescription: SessionDescriptionInit? { pendingLocalDescription ?? currentLocalDescription }
    /// W3C `remoteDescription`.
    public var remoteDescription: SessionDescriptionInit? { pendingRemoteDescription ?? currentRemoteDescription }
    /// True once `close()` was called.
    public internal(set) var isClosed = false
    /// The DTLS role, once an offer/answer exchange fixed it.
    public internal(set) var dtlsRole: DTLSRole?
    /// The peer's `a=max-message-size` (W3C `RTCSctpTransport.maxMessageSize` is the min of both).
    public internal(set) var remoteMaxMessageSize: Int?
    /// The peer's `a=x-record-size-limit` (the largest DTLS record plaintext it receives), if any.
    var remoteRecordSizeLimit: Int?

    // MARK: Parts

    var rng: SeededRandom
    let sessionID: UInt64
    var sessionVersion: UInt64 = 1
    var interfaces: [TransportAddress] = []
    var initialCredentials: ICECredentials
    var ice: ICEAgent?
    var gatheringStarted = false
    var dtls: DTLSEndpoint?
    var remoteFingerprints: [CertificateFingerprint] = []
    var sctp: DataChannelManager?
    /// The buffer each outgoing SCTP packet is written into before DTLS seals it (reused: no
    /// allocation per packet).
    var sctpPacket: [UInt8] = []
    /// The packet ``pollSealedTransmit(_:)`` builds, its user data written straight into the
    /// DTLS record (reused: no allocation per packet).
    var sctpOutgoing = SCTPOutgoingPacket()
    /// Set by a driver that takes SCTP packets through ``pollSealedTransmit(_:)`` (see
    /// PeerConnection+DirectSealing.swift): while that path is usable, ``pollTransmit()`` no
    /// longer carries SCTP packets.
    public var sealsDirectly = false
    var sctpStarted = false
    /// The SCTP packet size DTLS's record limit was last set for (``followPathMTU(_:)``).
    var recordMTUPacketSize = 0
    /// While true, data channel events stay inside SCTP (see ``isReceivePaused``).
    var receivePaused = false
    var remoteSCTPPort: UInt16 = 5000
    /// The media sections as negotiated, in m-line order (later offers keep this order).
    var sections: [NegotiatedSection] = []
    /// The mid of the data section (the one with a transport; BUNDLE tag).
    var dataMid: String?
    var dataMLineIndex: Int = 0
    /// Local candidates gathered (for descriptions created after gathering).
    var localCandidateLines: [String] = []
    var lastCreatedOffer: String?
    var lastCreatedAnswer: String?
    var iceRestartPending = false
    var negotiationNeededFired = false
    var now: Instant = .zero

    var channels: [DataChannelHandle: ChannelRecord] = [:]
    var streamToHandle: [UInt16: DataChannelHandle] = [:]
    var nextHandle = 0

    var events = Deque<PeerConnectionEvent>()
    /// Transceivers, SRTP and RTCP state (see PeerConnection+Media.swift).
    let media = MediaState()
    var outgoing = Deque<Transmit>()
    var counters = TransportCounters()

    /// Creates a connection. Nothing happens until descriptions are exchanged; the driver
    /// reports its bound sockets with ``addLocalInterface(_:)`` before the first
    /// `setLocalDescription`.
    public init(configuration: PeerConnectionConfiguration) {
        self.configuration = configuration
        var rng = SeededRandom(seed: configuration.seed)
        sessionID = rng.next() >> 2
        initialCredentials = .random(using: &rng)
        self.rng = rng
    }

    // MARK: Getters

    /// W3C `canTrickleIceCandidates`: true once the remote description offered `trickle`.
    public internal(set) var canTrickleICECandidates: Bool?
    /// The ICE agent, once created (for diagnostics and statistics).
    public var iceAgent: ICEAgent? { ice }
    /// The DTLS endpoint, once created.
    public var dtlsEndpoint: DTLSEndpoint? { dtls }
    /// The state of the DTLS transport (W3C `RTCDtlsTransport.state`).
    public var dtlsState: DTLSState { dtls?.state ?? .new }
    /// Bytes of user data sent on SCTP and not yet acknowledged (0 before SCTP exists).
    public var sctpBytesInFlight: Int { sctp?.association.bytesInFlight ?? 0 }
    /// W3C `RTCSctpTransport.maxMessageSize`: the largest message `send` accepts.
    public var maxMessageSize: Int {
        let remote = remoteMaxMessageSize ?? 65_536
        return min(remote == 0 ? configuration.sctp.maxStreamSendQueue : remote, configuration.sctp.maxStreamSendQueue)
    }

    // MARK: Sans-IO inputs

    /// Registers a local socket address (one host candidate). Call before gathering starts
    /// (before the first `setLocalDescription`); later calls add the address to a running agent.
    public func addLocalInterface(_ address: TransportAddress) {
        guard !interfaces.contains(address) else { return }
        interfaces.append(address)
        ice?.addLocalInterface(address)
    }

    /// A datagram arrived on one of the local sockets.
    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        advance(now)
        guard !isClosed, let ice else { return }
        counters.packetsReceived += 1
        counters.bytesReceived += datagram.count
        ice.handle(datagram: datagram, source: source, destination: destination, now: self.now)
        pump()
    }

    /// Several datagrams that arrived together on one socket from one source (one read burst):
    /// the same as calling ``handle(datagram:source:destination:now:)`` for each, except that
    /// the layers run once over all of them, so SCTP answers the burst with one SACK rather
    /// than one per two packets.
    public func handle(datagrams: [[UInt8]], source: TransportAddress, destination: TransportAddress, now: Instant) {
        advance(now)
        guard !isClosed, let ice else { return }
        for datagram in datagrams {
            counters.packetsReceived += 1
            counters.bytesReceived += datagram.count
            ice.handle(datagram: datagram, source: source, destination: destination, now: self.now)
        }
        pump()
    }

    /// The bulk receive path: takes a datagram of DTLS application data for the established
    /// connection straight from the driver's receive buffer (read only during the call), with no
    /// copy of it, and returns true. SCTP takes each record's packet at once, from DTLS's
    /// scratch buffer; the layers above it (data channel events, replies) run at the next
    /// ``handle(datagrams:source:destination:now:)``: call it at the end of the read burst (with
    /// no datagrams if all were taken here). Returns false, having done nothing, for anything
    /// else (STUN, handshake records, alerts, media, a TURN server's datagram, a closed
    /// connection): pass that datagram to ``handle(datagrams:source:destination:now:)``.
    public func handle(applicationData datagram: UnsafeRawBufferPointer, source: TransportAddress, destination: TransportAddress,
                       now: Instant) -> Bool {
        guard !isClosed, let ice, let dtls, dtls.usesNativeRecordLayer, dtls.state == .connected,
              DTLSEndpoint.isApplicationDataOnly(datagram) else { return false }
        advance(now)
        // Each record's plaintext goes straight to SCTP from DTLS's scratch buffer (no array,
        // no event); SCTP's own events come out of the next pump as usual.
        guard ice.acceptDirectData(source: source, destination: destination, now: self.now),
              dtls.handle(applicationData: datagram, now: self.now, deliver: { packet in
                  sctp?.handle(packetBytes: packet, now: self.now)
              }) else { return false }
        counters.packetsReceived += 1
        counters.bytesReceived += datagram.count
        counters.dtlsRecordsReceived += 1
        return true
    }

    /// The deadline from ``pollTimeout()`` was reached. Drivers also call this with the
    /// current time before JSEP and data channel calls, which take no clock themselves.
    public func handle(timeout now: Instant) {
        advance(now)
        guard !isClosed else { return }
        // Always: API calls made afterwards schedule ICE work at the agent's latest `now`.
        ice?.handle(timeout: self.now)
        if let t = dtls?.pollTimeout(), t <= self.now { dtls?.handle(timeout: self.now) }
        if let t = sctp?.pollTimeout(), t <= self.now { sctp?.handle(timeout: self.now) }
        handleMediaTimeout()
        pump()
    }

    /// Receive-side flow control for the application: while true, received data channel
    /// messages (and every other data channel event) stay inside SCTP as undelivered bytes, so
    /// the advertised receive window shrinks to zero and the peer stops sending. Setting it back
    /// to false delivers what was held and re-opens the window (a window-update SACK).
    public var isReceivePaused: Bool {
        get { receivePaused }
        set {
            guard newValue != receivePaused else { return }
            receivePaused = newValue
            if !newValue { pump() }
        }
    }

    // MARK: Sans-IO outputs

    /// The next datagram to send, or nil.
    public func pollTransmit() -> Transmit? {
        if outgoing.isEmpty { pump() }
        guard let t = outgoing.popFirst() else { return nil }
        counters.packetsSent += 1
        counters.bytesSent += t.payload.count
        return t
    }

    /// The next event, or nil.
    public func pollEvent() -> PeerConnectionEvent? {
        if events.isEmpty { pump() }
        return events.popFirst()
    }

    /// When ``handle(timeout:)`` must be called next, or nil.
    public func pollTimeout() -> Instant? {
        guard !isClosed else { return nil }
        var earliest: Instant?
        func consider(_ t: Instant?) { if let t, earliest.map({ t < $0 }) ?? true { earliest = t } }
        consider(ice?.pollTimeout())
        consider(dtls?.pollTimeout())
        if sctpStarted { consider(sctp?.pollTimeout()) }
        consider(mediaTimeout)
        return earliest
    }

    func advance(_ now: Instant) { if now > self.now { self.now = now } }

    func emit(_ event: PeerConnectionEvent) { events.append(event) }
}

/// One media section as negotiated (kept so later offers list the same m-lines in order).
struct NegotiatedSection: Hashable, Sendable {
    var mid: String
    var kind: SDPMediaKind
    var transportProtocol: String
    var formats: [String]
    var isData: Bool
}

/// Byte and packet counters of the transport, for `getStats()`.
struct TransportCounters: Sendable {
    var packetsSent = 0
    var packetsReceived = 0
    var bytesSent = 0
    var bytesReceived = 0
    var dtlsRecordsSent = 0
    var dtlsRecordsReceived = 0
    var nonDTLSDropped = 0
    var dataChannelsOpened = 0
    var dataChannelsClosed = 0
    var selectedPairChanges = 0
}
