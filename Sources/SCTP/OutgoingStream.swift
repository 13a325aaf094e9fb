import DequeModule
import WireKit

/// A message accepted by `send` and not yet completely fragmented into TSNs.
struct PendingMessage: Sendable {
    /// The message's bytes: a slice, so a caller's larger buffer is queued without a copy.
    var payload: ArraySlice<UInt8>
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
    /// The message being fragmented (its first fragment has a TSN), kept out of `queue` so the
    /// per-fragment edits move it instead of copying it; nil between messages.
    var head: PendingMessage?
    /// Messages not yet started, after `head`.
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

    /// Cuts the next fragment of at most `room` bytes from the head message (taking the next
    /// queued message as head when there is none), in place: assigns the SSN/MID on the first
    /// fragment, advances the offset and FSN, lowers the buffered amount. A message that was
    /// never sent and whose lifetime ended is dropped instead.
    /// The result goes into `fragment` (written in place, never returned through optionals).
    mutating func cutFragment(room: Int, interleaving: Bool, now: Instant, into fragment: inout OutgoingFragment) {
        if head == nil {
            guard let next = queue.popFirst() else { fragment.kind = .none; return }
            head = next
        }
        // Read and edited through optional chaining: in place, the message is never copied.
        let offset = head?.offset ?? 0, size = head?.payload.count ?? 0, accounted = head?.accounted ?? false
        if offset == 0, let expiry = head?.expiry, now >= expiry {
            head = nil
            fragment.kind = .expired
            fragment.expiredBytes = size
            fragment.lowCrossed = release(bytes: size, accounted: accounted)
            return
        }
        let unordered = head?.unordered ?? false
        if offset == 0 {
            let mid: UInt32
            if !unordered {
                mid = nextSSN
                nextSSN = interleaving ? nextSSN &+ 1 : UInt32(UInt16(truncatingIfNeeded: nextSSN) &+ 1)
            } else if interleaving {
                mid = nextUnorderedMID
                nextUnorderedMID &+= 1
            } else {
                mid = 0
            }
            head?.mid = mid
        }
        let take = min(room, size - offset)
        let end = offset + take == size
        let flags: UInt8 = (unordered ? 0x04 : 0) | (offset == 0 ? 0x02 : 0) | (end ? 0x01 : 0)
        fragment.kind = .fragment
        let start = (head?.payload.startIndex ?? 0) + offset
        fragment.payload = head?.payload[start..<(start + take)] ?? []
        fragment.mid = head?.mid ?? 0
        fragment.fsn = head?.nextFSN ?? 0
        fragment.ppid = head?.ppid ?? 0
        fragment.flags = flags
        fragment.messageID = head?.messageID ?? 0
        fragment.maxRetransmits = head?.maxRetransmits ?? nil
        fragment.expiry = head?.expiry ?? nil
        fragment.lowCrossed = release(bytes: take, accounted: accounted)
        if end {
            head = nil
        } else {
            head?.offset += take
            if interleaving { head?.nextFSN &+= 1 }
        }
    }

    /// Lowers the buffered amount by `bytes` that left the queue; true when it fell from above
    /// the low threshold to at or below it.
    mutating func release(bytes: Int, accounted: Bool) -> Bool {
        guard accounted, bytes > 0 else { return false }
        let before = bufferedAmount
        bufferedAmount -= bytes
        return before > lowThreshold && bufferedAmount <= lowThreshold
    }

    /// True when a message is queued or partly sent.
    var hasQueuedMessages: Bool { head != nil || !queue.isEmpty }

    /// True when the entry carries nothing worth keeping (so the dictionary can drop it).
    var isIdle: Bool { !hasQueuedMessages && nextSSN == 0 && nextUnorderedMID == 0 && lowThreshold == 0 && !resetRequested && !scheduled && bufferedAmount == 0 }
}

/// One fragment cut from a stream's head message, with what the packet and the retransmission
/// queue need of its message.
struct OutgoingFragment: Sendable {
    /// What ``OutgoingStream/cutFragment(room:interleaving:now:into:)`` did (a plain struct rather
    /// than an enum with payloads: returned through the table without outlined copies).
    enum Kind: UInt8, Sendable {
        /// Nothing queued.
        case none
        /// The head message expired before its first fragment and was dropped (`expiredBytes`).
        case expired
        /// A fragment was cut.
        case fragment
    }

    var kind: Kind
    /// Bytes of the dropped message (``Kind/expired``).
    var expiredBytes = 0
    /// The bytes: a slice of the message's payload (not copied).
    var payload: ArraySlice<UInt8> = []
    var mid: UInt32 = 0
    var fsn: UInt32 = 0
    var ppid: UInt32 = 0
    /// U, B and E flags of the chunk.
    var flags: UInt8 = 0
    var messageID: UInt64 = 0
    var maxRetransmits: Int32?
    var expiry: Instant?
    /// The stream's buffered amount fell to or below its low threshold.
    var lowCrossed = false
}

extension StreamTable where Value == OutgoingStream {
    /// Removes the entry of stream `id` if it carries nothing (checked in place).
    mutating func dropIfIdle(_ id: UInt16) {
        if modify(id, { $0.isIdle }) ?? false { self[id] = nil }
    }
}
