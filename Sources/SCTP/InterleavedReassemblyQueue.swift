import DequeModule
import WireKit

/// Reassembles I-DATA fragments (RFC 8260) into messages and releases ordered messages in
/// Message Identifier order per stream.
///
/// Fragments are keyed by (stream, U bit, MID) and ordered by FSN, not by TSN, since
/// fragments of different messages interleave. Fragments arriving in FSN order are copied
/// into the message's buffer at once; early ones wait in a small dictionary. The message the
/// last fragment belonged to is kept out of the dictionary, so a message streaming in costs
/// no hashing per fragment. Memory held here is counted in ``bufferedBytes`` and bounded by
/// the receive window the association enforces.
struct InterleavedReassemblyQueue: Sendable {
    struct Key: Hashable, Sendable {
        var streamID: UInt16
        var unordered: Bool
        var mid: UInt32
    }

    /// A message some of whose fragments arrived.
    struct Partial: Sendable {
        var ppid: UInt32 = 0
        /// Payload of fragments 0 ..< `nextFSN`, in order.
        var buffer: [UInt8] = []
        var nextFSN: UInt32 = 0
        /// FSN of the last fragment (E bit), once it arrived.
        var lastFSN: UInt32?
        /// Fragments above `nextFSN`, by FSN.
        var early: [UInt32: ArraySlice<UInt8>] = [:]
        /// Payload bytes held for this message.
        var bytes = 0
    }

    struct InboundStream: Sendable {
        var nextMID: UInt32 = 0
        var pending: [UInt32: SCTPMessage] = [:]
    }

    let maxMessageSize: Int
    var partials: [Key: Partial] = [:]
    /// The partial message of the most recent fragment (not in `partials`).
    var hot: (key: Key, partial: Partial)?
    var inbound: [UInt16: InboundStream] = [:]
    /// Per stream, the largest unordered MID an I-FORWARD-TSN skipped: late fragments of
    /// skipped messages are dropped instead of starting a message that never completes.
    var unorderedSkipped: [UInt16: UInt32] = [:]
    /// Payload bytes held in partial messages and in ordered messages waiting for their turn.
    var bufferedBytes = 0
    /// Messages dropped for exceeding `maxMessageSize`.
    var oversizedMessages = 0
    /// Size of the last message assembled from fragments (capacity reserved for the next).
    var sizeHint = 0

    init(maxMessageSize: Int) { self.maxMessageSize = maxMessageSize }

    /// Takes one I-DATA chunk; appends deliverable messages to `events`.
    /// Returns the number of payload bytes delivered.
    mutating func insert(_ chunk: IDataChunk, into events: inout Deque<SCTPEvent>) -> Int {
        if chunk.beginning && chunk.ending {
            return complete(SCTPMessage(streamID: chunk.streamID, ppid: chunk.ppid, unordered: chunk.unordered,
                                        payload: Array(chunk.payload)), mid: chunk.mid, into: &events)
        }
        let key = Key(streamID: chunk.streamID, unordered: chunk.unordered, mid: chunk.mid)
        var partial: Partial
        if let h = hot, h.key == key {
            partial = h.partial
            hot = nil  // `partial` now holds the only reference to its buffer
        } else {
            if let h = hot {
                hot = nil
                partials[h.key] = h.partial
            }
            if !partials.isEmpty, let existing = partials.removeValue(forKey: key) {
                partial = existing
            } else {
                // A new message: drop fragments of messages already delivered or skipped.
                if chunk.unordered {
                    if let skipped = unorderedSkipped[key.streamID], Serial.le(key.mid, skipped) { return 0 }
                } else if let stream = inbound[key.streamID], Serial.lt(key.mid, stream.nextMID) {
                    return 0
                }
                partial = Partial()
            }
        }
        let fsn = chunk.beginning ? 0 : chunk.fsn
        if chunk.beginning { partial.ppid = chunk.ppid }
        if chunk.ending { partial.lastFSN = fsn }
        if fsn == partial.nextFSN {
            if partial.buffer.isEmpty { partial.buffer.reserveCapacity(max(sizeHint, 2 * chunk.payload.count)) }
            partial.buffer.append(contentsOf: chunk.payload)
            partial.nextFSN &+= 1
            while !partial.early.isEmpty, let next = partial.early.removeValue(forKey: partial.nextFSN) {
                partial.buffer.append(contentsOf: next)
                partial.nextFSN &+= 1
            }
        } else if fsn > partial.nextFSN, partial.early[fsn] == nil {
            partial.early[fsn] = chunk.payload
        } else {
            hot = (key, partial)
            return 0  // the same fragment under another TSN: ignore
        }
        partial.bytes += chunk.payload.count
        bufferedBytes += chunk.payload.count
        guard let last = partial.lastFSN, partial.nextFSN == last &+ 1 else {
            hot = (key, partial)
            return 0
        }
        bufferedBytes -= partial.bytes
        guard partial.bytes <= maxMessageSize else { oversizedMessages += 1; return 0 }
        sizeHint = min(partial.bytes, 256 << 10)
        return complete(SCTPMessage(streamID: key.streamID, ppid: partial.ppid, unordered: key.unordered, payload: partial.buffer),
                        mid: key.mid, into: &events)
    }

    /// A whole message: deliver now (unordered, or next in order) or hold until its turn.
    mutating func complete(_ message: SCTPMessage, mid: UInt32, into events: inout Deque<SCTPEvent>) -> Int {
        if message.unordered {
            events.append(.message(message))
            return message.payload.count
        }
        // One hash lookup, the stream edited in place.
        return Self.deliver(message, mid: mid, stream: &inbound[message.streamID, default: InboundStream()],
                            bufferedBytes: &bufferedBytes, events: &events)
    }

    /// Delivers `message` if it is next on `stream` (then any held successors), else holds it.
    static func deliver(_ message: SCTPMessage, mid: UInt32, stream: inout InboundStream, bufferedBytes: inout Int,
                        events: inout Deque<SCTPEvent>) -> Int {
        if mid == stream.nextMID {
            var delivered = message.payload.count
            events.append(.message(message))
            stream.nextMID &+= 1
            delivered += drain(&stream, bufferedBytes: &bufferedBytes, into: &events)
            return delivered
        }
        if Serial.lt(stream.nextMID, mid), stream.pending[mid] == nil {
            stream.pending[mid] = message
            bufferedBytes += message.payload.count
        }
        return 0
    }

    mutating func drain(_ stream: inout InboundStream, into events: inout Deque<SCTPEvent>) -> Int {
        Self.drain(&stream, bufferedBytes: &bufferedBytes, into: &events)
    }

    static func drain(_ stream: inout InboundStream, bufferedBytes: inout Int, into events: inout Deque<SCTPEvent>) -> Int {
        var delivered = 0
        while !stream.pending.isEmpty, let next = stream.pending.removeValue(forKey: stream.nextMID) {
            bufferedBytes -= next.payload.count
            delivered += next.payload.count
            events.append(.message(next))
            stream.nextMID &+= 1
        }
        return delivered
    }

    /// Drops the partial messages matching `drop`.
    mutating func dropPartials(where drop: (Key) -> Bool) {
        if let h = hot, drop(h.key) {
            bufferedBytes -= h.partial.bytes
            hot = nil
        }
        for key in Array(partials.keys) where drop(key) {
            if let p = partials.removeValue(forKey: key) { bufferedBytes -= p.bytes }
        }
    }

    /// I-FORWARD-TSN: drop the skipped messages' fragments; skip the ordered MIDs and release
    /// what follows them.
    mutating func skip(_ skipped: [IForwardTSNChunk.Skipped], into events: inout Deque<SCTPEvent>) -> Int {
        var delivered = 0
        for s in skipped {
            dropPartials { $0.streamID == s.streamID && $0.unordered == s.unordered && Serial.le($0.mid, s.mid) }
            guard !s.unordered else {
                if let old = unorderedSkipped[s.streamID], Serial.le(s.mid, old) { continue }
                unorderedSkipped[s.streamID] = s.mid
                continue
            }
            var stream = inbound.removeValue(forKey: s.streamID) ?? InboundStream()
            if Serial.le(stream.nextMID, s.mid) {
                for key in Array(stream.pending.keys) where Serial.le(key, s.mid) {
                    if let m = stream.pending.removeValue(forKey: key) { bufferedBytes -= m.payload.count }
                }
                stream.nextMID = s.mid &+ 1
                delivered += drain(&stream, into: &events)
            }
            inbound[s.streamID] = stream
        }
        return delivered
    }

    /// RFC 6525 with I-DATA: the peer reset these streams; both MID sequences restart at 0.
    mutating func resetStreams(_ ids: [UInt16]) {
        for id in ids {
            if let s = inbound.removeValue(forKey: id) {
                for m in s.pending.values { bufferedBytes -= m.payload.count }
            }
            unorderedSkipped[id] = nil
        }
        let reset = Set(ids)
        dropPartials { reset.contains($0.streamID) }
    }
}
