import WireKit

/// A DATA chunk that has a TSN and is not yet cumulatively acknowledged (the retransmission
/// queue entry). Value type held in a Deque indexed by `tsn - (cumulativeAck + 1)`.
struct OutstandingChunk: Sendable {
    /// Where the chunk stands.
    enum Status: UInt8, Sendable {
        /// Sent and counted in the flight size.
        case inFlight
        /// Reported lost (fast retransmit or T3): waits in the retransmit queue.
        case toRetransmit
        /// Covered by a gap-ack block.
        case acked
        /// Given up on by PR-SCTP policy; skipped by FORWARD TSN.
        case abandoned
    }

    var tsn: UInt32
    var streamID: UInt16
    /// SSN (DATA, in the low 16 bits) or MID (I-DATA).
    var mid: UInt32
    /// Fragment sequence number (I-DATA).
    var fsn: UInt32
    var ppid: UInt32
    var flags: UInt8
    var status: Status
    var missIndications: UInt8 = 0
    var fastRetransmitted = false
    /// Number of times sent (1 after the first transmission).
    var transmitCount: Int32 = 1
    var sentAt: Instant
    var messageID: UInt64
    /// Retransmissions allowed by PR-SCTP (`nil`: reliable).
    var maxRetransmits: Int32?
    /// Instant after which PR-SCTP abandons the message (`nil`: no lifetime).
    var expiry: Instant?
    /// The fragment, a slice of the message the application passed in (no copy).
    var payload: ArraySlice<UInt8>

    var unordered: Bool { flags & 0x04 != 0 }
    var isEnding: Bool { flags & 0x01 != 0 }
    var isBeginning: Bool { flags & 0x02 != 0 }

    /// True when policy says to give up instead of retransmitting.
    func shouldAbandon(now: Instant) -> Bool {
        if let max = maxRetransmits, transmitCount > max { return true }
        if let expiry, now >= expiry { return true }
        return false
    }
}
