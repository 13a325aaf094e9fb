import WireKit

/// RFC 6525 bookkeeping: our outgoing reset requests and the peer's requests to us.
struct StreamResetState: Sendable {
    /// Streams whose outgoing reset was requested and not yet sent.
    var pendingStreams: Set<UInt16> = []
    /// Set when a pending stream may have drained (re-check before building a packet).
    var dirty = false
    /// The request in flight: its sequence number and streams.
    var inFlight: (sequence: UInt32, streams: [UInt16], lastTSN: UInt32)?
    /// Our next request sequence number (starts at our initial TSN).
    var nextRequest: UInt32 = 0
    /// The peer's next expected request sequence number (starts at its initial TSN).
    var expectedPeerRequest: UInt32 = 0
    /// Our answer to the peer's last performed request (for retransmitted requests).
    var lastResponse: UInt32 = 0
    /// A peer request waiting until all data up to its last TSN arrived.
    var deferred: (sequence: UInt32, lastTSN: UInt32, streams: [UInt16])?
    /// DATA for a deferred request's streams with TSNs above its last TSN (RFC 6525 §5.2.2:
    /// "queued locally and held" until the reset is performed), in arrival order.
    var held: [HeldFragment] = []
    /// Payload bytes in `held` (counted against the receive window).
    var heldBytes = 0
    /// RE-CONFIG retransmission deadline.
    var deadline: Instant?

    /// True when a data chunk with `tsn` on `streamID` must wait for the deferred reset.
    func mustHold(tsn: UInt32, streamID: UInt16) -> Bool {
        guard let d = deferred, Serial.lt(d.lastTSN, tsn) else { return false }
        return d.streams.isEmpty || d.streams.contains(streamID)
    }
}
