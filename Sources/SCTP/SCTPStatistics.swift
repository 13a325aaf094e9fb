/// Counters kept by an ``SCTPAssociation`` (for tests, `getStats()` and debugging).
public struct SCTPStatistics: Sendable, Equatable {
    /// Packets handed to `handle(packet:)`.
    public var packetsReceived = 0
    /// Packets produced by `pollTransmit()`.
    public var packetsSent = 0
    /// Packets dropped for a bad CRC-32C.
    public var badChecksum = 0
    /// Packets dropped because a chunk was malformed.
    public var malformed = 0
    /// Packets dropped for a wrong verification tag or port.
    public var badTag = 0
    /// DATA chunks sent for the first time.
    public var dataChunksSent = 0
    /// DATA chunks retransmitted (fast and timeout).
    public var retransmissions = 0
    /// Fast retransmit events (entries into fast recovery).
    public var fastRetransmits = 0
    /// T3-rtx expirations.
    public var t3Expirations = 0
    /// Duplicate DATA chunks received.
    public var duplicateTSNs = 0
    /// DATA chunks dropped for lack of receive window.
    public var droppedForWindow = 0
    /// Messages abandoned by PR-SCTP policy on the send side.
    public var abandonedMessages = 0
    /// FORWARD TSN chunks sent.
    public var forwardTSNsSent = 0
    /// COOKIE ECHOs refused because the cookie was stale.
    public var staleCookies = 0
    /// COOKIE ECHOs refused because the MAC did not verify.
    public var badCookies = 0
    /// Valid COOKIE ECHOs dropped by the §5.2.4 table (late cookies of earlier attempts).
    public var discardedCookies = 0
    /// Peer restarts detected (RFC 9260 §5.2.4 A).
    public var restarts = 0
    /// Unknown chunk types received.
    public var unknownChunks = 0
    /// Creates zeroed counters.
    public init() {}
    /// PLPMTUD probes sent (RFC 8899: padded HEARTBEATs).
    public var pathMTUProbesSent = 0
    /// PLPMTUD probes acknowledged (each raised the packet size).
    public var pathMTUProbesAcknowledged = 0
    /// Times the raised packet size stopped getting through and the base size took over.
    public var pathMTUBlackHoles = 0
}
