import DequeModule
import WireKit

/// A sans-IO SCTP association (RFC 9260 as WebRTC uses it, RFC 8261), with PR-SCTP
/// (RFC 3758) and outgoing stream reset (RFC 6525).
///
/// Input: SCTP packets (`handle(packet:now:)`, the DTLS payload in production), timer
/// expiries (`handle(timeout:)`) and API calls (`connect`, `send`, `resetStreams`,
/// `shutdown`, `abort`). Output: packets (`pollTransmit()`), events (`pollEvent()`) and the
/// next deadline (`pollTimeout()`). After any input, drain `pollTransmit()` and
/// `pollEvent()` until they return nil, then arm a timer for `pollTimeout()`.
///
/// Facets: `+Handshake` (INIT / cookie, collisions), `+Receive` (DATA, SACK generation),
/// `+Send` (queues, fragmentation, packet building), `+Acknowledgement` (SACK processing,
/// congestion control, fast retransmit, PR-SCTP), `+Timers`, `+StreamReset`, `+Shutdown`.
public struct SCTPAssociation: Sendable {
    /// Association states (RFC 9260 §4).
    public enum State: Sendable, Equatable {
        /// No association (initial, or after close/abort).
        case closed
        /// INIT sent, waiting for INIT ACK.
        case cookieWait
        /// COOKIE ECHO sent, waiting for COOKIE ACK.
        case cookieEchoed
        /// Data flows both ways.
        case established
        /// `shutdown` called; draining our queued data.
        case shutdownPending
        /// SHUTDOWN sent, waiting for SHUTDOWN ACK.
        case shutdownSent
        /// The peer sent SHUTDOWN; draining our queued data.
        case shutdownReceived
        /// SHUTDOWN ACK sent, waiting for SHUTDOWN COMPLETE.
        case shutdownAckSent
    }

    /// Partial reliability policy of a message (RFC 3758 / W3C `maxRetransmits`, `maxPacketLifeTime`).
    public enum Reliability: Sendable, Equatable {
        /// Retransmit until acknowledged.
        case reliable
        /// Give up after this many retransmissions.
        case maxRetransmits(Int)
        /// Give up once this much time has passed since `send`.
        case maxLifetime(Duration)
    }

    /// The configuration this association was created with.
    public let configuration: SCTPConfiguration
    /// Current state.
    public internal(set) var state: State = .closed
    /// Counters.
    public internal(set) var statistics = SCTPStatistics()

    var rng: SeededRandom
    var now: Instant = .zero
    /// The packet size in use (the PLPMTU): the base size until PLPMTUD confirms a larger one.
    var mtu: Int
    /// The base packet size (``SCTPConfiguration/maxPacketSize``); DATA chunks are cut to fit it.
    let baseMTU: Int
    /// RFC 8899 search state.
    var pathMTUSearch: PathMTUSearch
    /// False while the path must not be probed (a TURN relay): the base size then.
    var pathMTUAllowed = true
    /// ``SCTPConfiguration/delayedAckTimeout`` in nanoseconds (integer arithmetic on the receive path).
    let delayedAckNanoseconds: Int64
    /// ``SCTPConfiguration/rtoMin`` and ``SCTPConfiguration/rtoMax`` in nanoseconds (`Duration`
    /// arithmetic per RTT sample costs 128-bit multiplications).
    let rtoMinNanoseconds: Int64, rtoMaxNanoseconds: Int64

    // MARK: Tags and negotiated parameters
    var localTag: UInt32 = 0
    var peerTag: UInt32 = 0
    var localInitialTSN: UInt32 = 0
    var peerInitialTSN: UInt32 = 0
    var peerSupportsForwardTSN = false
    var peerSupportsReconfig = false
    /// Both sides support I-DATA (RFC 8260): I-DATA and I-FORWARD-TSN replace DATA and FORWARD TSN.
    var interleaving = false
    /// Both sides announced our zero checksum method (RFC 9653): the packets of
    /// `pollTransmit(into:)` go out with a zero checksum once established.
    var sendsZeroChecksum = false
    /// Streams we may send on (min of our outbound and the peer's inbound).
    var outboundStreams: UInt16 = 0
    var sentInit: InitChunk?
    var cookieEchoPacket: [UInt8]?
    /// When the current COOKIE ECHO was first sent (measures the RTT a Cookie Preservative adds).
    var cookieEchoSentAt: Instant?
    /// Lifetime increment (ms) to request in the next INIT after a stale cookie (§5.2.6).
    var cookiePreservative: UInt32?
    /// Stale-cookie ERRORs answered in this setup attempt.
    var staleCookieRetries = 0
    var t1Deadline: Instant?
    var t1Retransmits = 0
    var t1Timeout: Duration = .zero

    // MARK: Send side
    var nextTSN: UInt32 = 0
    /// Highest TSN cumulatively acknowledged by the peer.
    var lastCumAck: UInt32 = 0
    var outstanding = Deque<OutstandingChunk>()
    /// TSNs marked for retransmission, in increasing order.
    var retransmitQueue = Deque<UInt32>()
    var flightSize = 0
    var cwnd = 0
    var ssthresh = 0
    var partialBytesAcked = 0
    var peerRwnd = 0
    var fastRecoveryExit: UInt32?
    var fastRetransmitPending = false
    /// Max.Burst: after a SACK, new data may raise the flight size only this far.
    var burstFlightLimit: Int?
    var outStreams = StreamTable<OutgoingStream>()
    var scheduler = Deque<UInt16>()
    /// Stream whose message is being fragmented (its fragments need consecutive TSNs).
    var currentStream: UInt16?
    var nextMessageID: UInt64 = 1
    var t3Deadline: Instant?
    var rto: Int64 = 0
    var srtt: Int64?
    var rttvar: Int64 = 0
    var errorCount = 0
    var advancedPeerAckPoint: UInt32 = 0
    var forwardTSNNeeded = false
    /// Total bytes queued in all streams (not yet fragmented).
    var queuedBytes = 0

    // MARK: Receive side
    /// Highest TSN received in sequence from the peer.
    var cumulativeTSN: UInt32 = 0
    /// TSN ranges received above `cumulativeTSN + 1`, sorted, disjoint, non-adjacent.
    var receivedRanges: [(UInt32, UInt32)] = []
    var duplicateTSNs: [UInt32] = []
    var sackImmediately = false
    var sackDelayed = false
    var dataPacketsSinceSack = 0
    var delayedAckDeadline: Instant?
    var lastAdvertisedRwnd = 0
    /// Reassembly of DATA or I-DATA fragments (as ``interleaving`` decides) and ordered delivery.
    var reassembly: ReassemblyQueue
    /// Bytes of messages delivered as events and not yet polled.
    var undeliveredBytes = 0

    // MARK: Control
    var reset = StreamResetState()
    var t2Deadline: Instant?
    var t2Retransmits = 0
    var heartbeatDeadline: Instant?
    var heartbeatOutstanding: (nonce: UInt64, sentAt: Instant)?
    var pendingChunks: [SCTPChunk] = []
    var controlPackets = Deque<[UInt8]>()
    var events = Deque<SCTPEvent>()
    /// Reused buffer for the chunks of the packet being handled.
    var chunkScratch: [SCTPChunk] = []
    /// Reused packet for `pollTransmit(into: &[UInt8])`: built with the user data inline, its
    /// skeleton is the packet.
    var packetScratch: SCTPOutgoingPacket = {
        var p = SCTPOutgoingPacket()
        p.inlineUserData = true
        return p
    }()

    /// A new, closed association. Call ``connect(now:)`` on (at least) the client side; the
    /// other side answers the INIT it receives.
    public init(configuration: SCTPConfiguration = SCTPConfiguration()) {
        self.configuration = configuration
        rng = SeededRandom(seed: configuration.randomSeed)
        mtu = max(256, configuration.maxPacketSize)
        baseMTU = mtu
        pathMTUSearch = PathMTUSearch(base: mtu, candidates: configuration.pathMTUProbeSizes.map { min($0, 65_507) & ~3 },
                                      maxProbes: configuration.pathMTUMaxProbes, probeTimeout: configuration.pathMTUProbeTimeout,
                                      raiseInterval: configuration.pathMTURaiseInterval)
        delayedAckNanoseconds = configuration.delayedAckTimeout.nanosecondsClamped
        rto = configuration.rtoInitial.nanosecondsClamped
        rtoMinNanoseconds = configuration.rtoMin.nanosecondsClamped
        rtoMaxNanoseconds = configuration.rtoMax.nanosecondsClamped
        reassembly = ReassemblyQueue(maxMessageSize: configuration.maxReceiveMessageSize)
    }

    // MARK: Getters

    /// True once the association can carry data.
    public var isEstablished: Bool { state == .established }
    /// Bytes accepted by `send` on `stream` and not yet handed to the network.
    public func bufferedAmount(stream: UInt16) -> Int { outStreams[stream]?.bufferedAmount ?? 0 }
    /// Total bytes queued on all streams and not yet handed to the network.
    public var totalBufferedAmount: Int { queuedBytes }
    /// Bytes sent and not yet acknowledged.
    public var bytesInFlight: Int { flightSize }
    /// Chunks in the retransmission queue (sent, not cumulatively acknowledged).
    public var outstandingChunkCount: Int { outstanding.count }
    /// Bytes held for reassembly and ordering plus delivered-but-unpolled messages.
    public var receiveBufferedBytes: Int { reassemblyBytes + undeliveredBytes + reset.heldBytes }
    /// Bytes held by the reassembly queues.
    var reassemblyBytes: Int { reassembly.bufferedBytes }
    /// True when the peer and we use I-DATA and I-FORWARD-TSN (RFC 8260), negotiated at setup.
    public var usesInterleaving: Bool { interleaving }
    /// Size of the header of the data chunks in use (DATA or I-DATA).
    var dataHeaderSize: Int { interleaving ? IDataChunk.headerSize : DataChunk.headerSize }
    /// The congestion window in bytes.
    public var congestionWindow: Int { cwnd }
    /// The current retransmission timeout.
    public var retransmissionTimeout: Duration { .nanoseconds(rto) }
    /// The smoothed round-trip time, once measured.
    public var smoothedRTT: Duration? { srtt.map { .nanoseconds($0) } }
    /// Our current advertised receive window.
    public var advertisedReceiveWindow: Int {
        max(0, configuration.receiveWindow - reassemblyBytes - undeliveredBytes - reset.heldBytes)
    }
    /// The `now` of the most recent input (for layers above that act while polling events).
    public var lastInputTime: Instant { now }
    /// The largest packet the association sends now (PLPMTU): the base size, or what PLPMTUD
    /// confirmed.
    public var pathMTU: Int { mtu }
    /// Number of streams this side may send on.
    public var negotiatedOutboundStreams: UInt16 { outboundStreams }

    /// Sets the threshold under which ``SCTPEvent/bufferedAmountLow(streamID:)`` fires for `stream`.
    public mutating func setBufferedAmountLowThreshold(_ threshold: Int, stream: UInt16) {
        var entry = outStreams.removeValue(forKey: stream) ?? OutgoingStream()
        entry.lowThreshold = max(0, threshold)
        if !entry.isIdle { outStreams[stream] = entry }
    }

    // MARK: Outputs

    /// The next event, if any.
    public mutating func pollEvent() -> SCTPEvent? {
        guard let event = events.popFirst() else { return nil }
        if case .message(let m) = event {
            undeliveredBytes -= m.payload.count
            noteWindowOpened()
        }
        return event
    }

    /// The earliest instant at which `handle(timeout:)` must be called, if any.
    public func pollTimeout() -> Instant? {
        // Called after every input: no array, no allocation.
        func earlier(_ a: Instant?, _ b: Instant?) -> Instant? {
            guard let a else { return b }
            guard let b else { return a }
            return b < a ? b : a
        }
        return earlier(earlier(earlier(t1Deadline, t2Deadline), earlier(t3Deadline, delayedAckDeadline)),
                       earlier(earlier(heartbeatDeadline, reset.deadline), pathMTUSearch.deadline))
    }

    // MARK: Internals shared by facets

    mutating func randomNonZero32() -> UInt32 {
        var v: UInt32 = 0
        while v == 0 { v = UInt32(truncatingIfNeeded: rng.next()) }
        return v
    }

    /// Builds a whole packet from `chunks` with `tag` and queues it.
    mutating func queuePacket(tag: UInt32, chunks: [SCTPChunk]) {
        var w = ByteWriter(capacity: 256)
        SCTPPacket.writeHeader(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                               verificationTag: tag, into: &w)
        for c in chunks { c.write(into: &w) }
        var bytes = w.take()
        SCTPPacket.seal(&bytes)
        controlPackets.append(bytes)
    }

    /// Moves to `closed`, dropping every timer and queue, and reports `event`.
    mutating func terminate(_ event: SCTPEvent?) {
        state = .closed
        t1Deadline = nil; t2Deadline = nil; t3Deadline = nil
        delayedAckDeadline = nil; heartbeatDeadline = nil; reset.deadline = nil
        pathMTUSearch.disable(); mtu = baseMTU
        outstanding.removeAll(); retransmitQueue.removeAll()
        outStreams.removeAll(); scheduler.removeAll(); currentStream = nil
        queuedBytes = 0; flightSize = 0
        pendingChunks.removeAll()
        if let event { events.append(event) }
    }
}
