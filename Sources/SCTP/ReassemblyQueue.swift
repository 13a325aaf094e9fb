import DequeModule
import WireKit

/// Reassembles DATA and I-DATA fragments into messages (one fragment store for both) and
/// releases ordered messages in sequence order (``ReassemblyQueue+Delivery``).
///
/// Fragments are kept per message key: stream, U bit and sequence (SSN of ordered DATA, MID
/// of I-DATA, 0 for unordered DATA), and placed by position (TSN for DATA, FSN for I-DATA;
/// see ``DataFragment``). A message whose first fragment arrived grows in one buffer: each
/// fragment that continues it is copied in once (one memcpy) while the packet is hot in
/// cache, and a message whose fragments are all present is assembled into a buffer of
/// exactly its size. Fragments that arrive early wait, copied out of their packet, until the
/// gap before them fills. The message being received is kept out of the dictionary (``hot``),
/// so a message streaming in costs no hashing per fragment. An unordered DATA key may hold
/// several messages at once (its fragments are told apart by TSN only); a message wholly
/// among the early fragments is assembled as soon as its last piece arrives. Memory held
/// here is counted in ``bufferedBytes`` and bounded by the receive window the association
/// enforces.
struct ReassemblyQueue: Sendable {
    /// Which message a fragment belongs to.
    struct Key: Hashable, Sendable {
        var streamID: UInt16
        var unordered: Bool
        var sequence: UInt32
    }

    /// A fragment that arrived before the one preceding it, with its own copy of the payload.
    struct EarlyFragment: Sendable {
        var flags: UInt8
        var ppid: UInt32
        var payload: [UInt8]
        var beginning: Bool { flags & 0x02 != 0 }
        var ending: Bool { flags & 0x01 != 0 }
    }

    /// The fragments received of one key's message(s).
    struct Partial: Sendable {
        /// The message being assembled: its first fragment arrived, and the payload of the
        /// fragments up to (not including) `nextPosition` is in `buffer`.
        var started = false
        var ppid: UInt32 = 0
        var firstPosition: UInt32 = 0
        var nextPosition: UInt32 = 0
        var buffer: [UInt8] = []
        /// Fragments not (yet) continuing the started message, by position.
        var early: [UInt32: EarlyFragment] = [:]
        /// Payload bytes held here (buffer and early fragments).
        var bytes = 0

        var isEmpty: Bool { !started && early.isEmpty }
    }

    /// Per stream, the next ordered message to deliver and the complete ones waiting for it.
    struct InboundStream: Sendable {
        var nextSequence: UInt32 = 0
        var pending: [UInt32: SCTPMessage] = [:]
    }

    let maxMessageSize: Int
    /// Sequence numbers are 32-bit MIDs (I-DATA, RFC 8260) rather than 16-bit SSNs.
    var interleaved = false
    var partials: [Key: Partial] = [:]
    /// The key of the most recent fragment's message(s), when ``hotActive``.
    var hotKey = Key(streamID: 0, unordered: false, sequence: 0)
    /// The most recent fragment's partial (not in `partials`), edited in place.
    var hot = Partial()
    /// `hot` holds fragments of `hotKey`.
    var hotActive = false
    var inbound: [UInt16: InboundStream] = [:]
    /// I-DATA: per stream, the largest unordered MID an I-FORWARD-TSN skipped. Late fragments
    /// of skipped messages are dropped instead of starting a message that never completes.
    var unorderedSkipped: [UInt16: UInt32] = [:]
    /// Payload bytes held in partial messages and in ordered messages waiting for their turn.
    var bufferedBytes = 0
    /// Messages dropped for exceeding `maxMessageSize`.
    var oversizedMessages = 0
    /// The capacity reserved for the next message assembled from fragments: the last one's
    /// size while sizes repeat, so bulk transfers of equal messages fill buffers of exactly
    /// their size; twice it while they vary (sync frames of 16–256 KiB chunks), so a larger
    /// next message seldom outgrows its buffer (a regrowth copies what it holds). At most
    /// ``sizeHintLimit``.
    var sizeHint = 0
    /// Size of the last message assembled from fragments.
    var lastAssembledSize = 0
    /// The largest ``sizeHint``: a 256 KiB message (and its header) fits.
    static let sizeHintLimit = 320 << 10

    init(maxMessageSize: Int, interleaved: Bool = false) {
        self.maxMessageSize = maxMessageSize
        self.interleaved = interleaved
    }

    /// Takes one fragment (`payload` is read during the call only); appends deliverable
    /// messages to `events`. Returns the number of payload bytes delivered.
    mutating func insert(_ f: DataFragment, payload: UnsafeRawBufferPointer, into events: inout Deque<SCTPEvent>) -> Int {
        if f.beginning && f.ending {
            return complete(Key(streamID: f.streamID, unordered: f.unordered, sequence: f.sequence), ppid: f.ppid,
                            payload: [UInt8](payload), into: &events)
        }
        let key = Key(streamID: f.streamID, unordered: f.unordered, sequence: f.sequence)
        if !hotActive || hotKey != key {
            parkHot()
            if !partials.isEmpty, let existing = partials.removeValue(forKey: key) {
                hot = existing
            } else {
                if isStale(key) { return 0 }
                hot = Partial()
            }
            hotKey = key
            hotActive = true
        }
        let delivered = add(f, payload: payload, key: key, into: &events)
        if hot.isEmpty { hotActive = false }
        return delivered
    }

    /// Moves the hot partial, if any, into `partials`.
    mutating func parkHot() {
        guard hotActive else { return }
        var parked = Partial()
        swap(&parked, &hot)
        partials[hotKey] = parked
        hotActive = false
    }

    /// A fragment of a message no longer expected (delivered, or skipped by I-FORWARD-TSN).
    func isStale(_ key: Key) -> Bool {
        if key.unordered {
            guard let skipped = unorderedSkipped[key.streamID] else { return false }
            return !precedes(skipped, key.sequence)
        }
        guard let stream = inbound[key.streamID] else { return false }
        return precedes(key.sequence, stream.nextSequence)
    }

    /// Places `f` in the hot partial: continues the started message, starts one, or waits early.
    mutating func add(_ f: DataFragment, payload: UnsafeRawBufferPointer, key: Key, into events: inout Deque<SCTPEvent>) -> Int {
        let count = payload.count
        if hot.started ? (f.position == hot.nextPosition && !f.beginning) : f.beginning {
            if !hot.started {
                hot.started = true
                hot.ppid = f.ppid
                hot.firstPosition = f.position
                hot.nextPosition = f.position
                // Exact when the rest already waits; else the last message's size, but only while
                // few messages are in progress (many partial messages, e.g. from a peer sending
                // only first fragments, must not each reserve a large buffer for a few bytes:
                // at most 8 × `sizeHintLimit` is reserved ahead of data).
                let exact = hot.early.isEmpty ? nil : earlyRunBytes(from: f.position &+ 1)
                let guess = partials.count < 8 ? max(sizeHint, 2 * count) : 2 * count
                hot.buffer.reserveCapacity(exact.map { count + $0 } ?? guess)
            }
            Self.append(payload, to: &hot.buffer)
            hot.nextPosition &+= 1
            hot.bytes += count
            bufferedBytes += count
            var ending = f.ending
            // Fragments that arrived early (after a loss) continue the message.
            while !ending, !hot.early.isEmpty, let next = hot.early[hot.nextPosition], !next.beginning {
                hot.early.removeValue(forKey: hot.nextPosition)
                hot.buffer.append(contentsOf: next.payload)  // already counted in bytes
                hot.nextPosition &+= 1
                ending = next.ending
            }
            guard ending else { return 0 }
            return finishStarted(key: key, into: &events)
        }
        // Out of order. A fragment the started message already holds (I-DATA: the same
        // fragment under another TSN) is ignored; for DATA, positions before the started
        // message belong to other messages of an unordered key.
        guard hot.early[f.position] == nil,
              !(hot.started && Serial.le(hot.firstPosition, f.position) && Serial.lt(f.position, hot.nextPosition))
        else { return 0 }
        hot.early[f.position] = EarlyFragment(flags: f.flags, ppid: f.ppid, payload: [UInt8](payload))
        hot.bytes += count
        bufferedBytes += count
        guard f.ending || hot.early[f.position &+ 1] != nil else { return 0 }
        return assembleEarly(around: f.position, key: key, into: &events)
    }

    /// Bytes of the early fragments from `position` through a last one (E), or nil at a gap.
    func earlyRunBytes(from position: UInt32) -> Int? {
        var total = 0
        var p = position
        while let frag = hot.early[p], !frag.beginning {
            total += frag.payload.count
            if frag.ending { return total }
            p &+= 1
        }
        return nil
    }

    /// Delivers the started message (its last fragment was appended).
    mutating func finishStarted(key: Key, into events: inout Deque<SCTPEvent>) -> Int {
        var payload = [UInt8]()
        swap(&payload, &hot.buffer)
        hot.started = false
        hot.bytes -= payload.count
        bufferedBytes -= payload.count
        let size = payload.count
        sizeHint = min(size == lastAssembledSize ? size : 2 * size, Self.sizeHintLimit)
        lastAssembledSize = size
        guard payload.count <= maxMessageSize else { oversizedMessages += 1; return 0 }
        // A buffer reserved far beyond the message (the hint guessed from a larger one before) is
        // copied into one of its size: delivered messages wait in queues bounded by their byte
        // count, and the application may keep them whole (a sync chunk until it is written), so
        // the spare capacity would be memory no bound accounts for.
        if SpareCapacity.isExcessive(capacity: payload.capacity, keeping: size) { payload = payload.withUnsafeBufferPointer { [UInt8]($0) } }
        return complete(key, ppid: hot.ppid, payload: payload, into: &events)
    }

    /// If the early fragments around `position` form a whole message (B … E without a hole),
    /// assembles it into a buffer of its exact size and delivers it.
    mutating func assembleEarly(around position: UInt32, key: Key,
                                into events: inout Deque<SCTPEvent>) -> Int {
        var first = position
        var total = 0
        while true {
            guard let frag = hot.early[first], first == position || !frag.ending else { return 0 }
            total += frag.payload.count
            if frag.beginning { break }
            first &-= 1
        }
        var last = position
        while true {
            guard let frag = hot.early[last], last == position || !frag.beginning else { return 0 }
            if last != position { total += frag.payload.count }
            if frag.ending { break }
            last &+= 1
        }
        var payload = [UInt8]()
        payload.reserveCapacity(total)
        var ppid: UInt32 = 0
        var p = first
        while true {
            if let frag = hot.early.removeValue(forKey: p) {
                if p == first { ppid = frag.ppid }
                payload.append(contentsOf: frag.payload)
            }
            if p == last { break }
            p &+= 1
        }
        hot.bytes -= total
        bufferedBytes -= total
        guard total <= maxMessageSize else { oversizedMessages += 1; return 0 }
        return complete(key, ppid: ppid, payload: payload, into: &events)
    }

    /// Appends raw bytes with one memcpy (the buffer was reserved for the message).
    @inline(__always) static func append(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
