import DequeModule
import WireKit

/// A message accepted by `send` and not yet completely fragmented into TSNs.
struct PendingMessage: Sendable {
    var payload: [UInt8]
    var ppid: UInt32
    var unordered: Bool
    /// Bytes already fragmented (handed to the network).
    var offset = 0
    var messageID: UInt64
    var maxRetransmits: Int32?
    var expiry: Instant?
    /// True when the message counts towards the stream's buffered amount.
    var accounted: Bool
    /// SSN (DATA) or MID (I-DATA), assigned when the first fragment gets its TSN.
    var mid: UInt32 = 0
    /// FSN of the next fragment (I-DATA).
    var nextFSN: UInt32 = 0
}

/// Per-stream send state: queue, sequence numbers, buffered amount and its low threshold.
struct OutgoingStream: Sendable {
    var queue = Deque<PendingMessage>()
    /// Next SSN of an ordered message (DATA: the low 16 bits), or its MID (I-DATA).
    var nextSSN: UInt32 = 0
    /// Next MID of an unordered message (I-DATA only).
    var nextUnorderedMID: UInt32 = 0
    /// Bytes accepted by `send` on this stream and not yet put into a packet.
    var bufferedAmount = 0
    /// The threshold for ``SCTPEvent/bufferedAmountLow(streamID:)``.
    var lowThreshold = 0
    /// A reset was requested: no new messages until it completes.
    var resetRequested = false
    /// The stream is in the scheduler's round-robin list.
    var scheduled = false

    /// True when the entry carries nothing worth keeping (so the dictionary can drop it).
    var isIdle: Bool { queue.isEmpty && nextSSN == 0 && nextUnorderedMID == 0 && lowThreshold == 0 && !resetRequested && !scheduled && bufferedAmount == 0 }
}
