import DequeModule
import WireKit

/// Ordered delivery (per stream, by SSN or MID), FORWARD TSN / I-FORWARD-TSN skipping and
/// stream resets: the part of reassembly after a message is whole.
extension ReassemblyQueue {
    /// `a` comes before `b` in the stream's sequence space (16-bit SSN or 32-bit MID).
    @inline(__always) func precedes(_ a: UInt32, _ b: UInt32) -> Bool { Self.precedes(a, b, interleaved: interleaved) }

    @inline(__always) static func precedes(_ a: UInt32, _ b: UInt32, interleaved: Bool) -> Bool {
        interleaved ? Serial.lt(a, b) : Serial.lt16(UInt16(truncatingIfNeeded: a), UInt16(truncatingIfNeeded: b))
    }

    /// The sequence number after `s`.
    @inline(__always) static func successor(_ s: UInt32, interleaved: Bool) -> UInt32 {
        interleaved ? s &+ 1 : UInt32(UInt16(truncatingIfNeeded: s) &+ 1)
    }

    /// A whole message: deliver now (unordered, or next in order) or hold until its turn.
    mutating func complete(_ key: Key, ppid: UInt32, payload: [UInt8], into events: inout Deque<SCTPEvent>) -> Int {
        let message = SCTPMessage(streamID: key.streamID, ppid: ppid, unordered: key.unordered, payload: payload)
        if key.unordered {
            events.append(.message(message))
            return payload.count
        }
        // One hash lookup, the stream edited in place.
        let bits = interleaved
        return Self.deliver(message, sequence: key.sequence, stream: &inbound[key.streamID, default: InboundStream()],
                            interleaved: bits, bufferedBytes: &bufferedBytes, events: &events)
    }

    /// Delivers `message` if it is next on `stream` (then any held successors), else holds it.
    static func deliver(_ message: SCTPMessage, sequence: UInt32, stream: inout InboundStream, interleaved: Bool,
                        bufferedBytes: inout Int, events: inout Deque<SCTPEvent>) -> Int {
        if sequence == stream.nextSequence {
            var delivered = message.payload.count
            events.append(.message(message))
            stream.nextSequence = successor(sequence, interleaved: interleaved)
            delivered += drain(&stream, interleaved: interleaved, bufferedBytes: &bufferedBytes, into: &events)
            return delivered
        }
        if precedes(stream.nextSequence, sequence, interleaved: interleaved), stream.pending[sequence] == nil {
            stream.pending[sequence] = message
            bufferedBytes += message.payload.count
        }
        return 0
    }

    /// Delivers the held messages that are next on `stream`.
    static func drain(_ stream: inout InboundStream, interleaved: Bool, bufferedBytes: inout Int,
                      into events: inout Deque<SCTPEvent>) -> Int {
        var delivered = 0
        while !stream.pending.isEmpty, let next = stream.pending.removeValue(forKey: stream.nextSequence) {
            bufferedBytes -= next.payload.count
            delivered += next.payload.count
            events.append(.message(next))
            stream.nextSequence = successor(stream.nextSequence, interleaved: interleaved)
        }
        return delivered
    }

    /// Skips the ordered messages of `streamID` up to and including `sequence` (dropping any
    /// held) and releases what follows.
    mutating func skipOrdered(streamID: UInt16, through sequence: UInt32, into events: inout Deque<SCTPEvent>) -> Int {
        var stream = inbound.removeValue(forKey: streamID) ?? InboundStream()
        var delivered = 0
        if !precedes(sequence, stream.nextSequence) {
            for key in Array(stream.pending.keys) where !precedes(sequence, key) {
                if let m = stream.pending.removeValue(forKey: key) { bufferedBytes -= m.payload.count }
            }
            stream.nextSequence = Self.successor(sequence, interleaved: interleaved)
            delivered = Self.drain(&stream, interleaved: interleaved, bufferedBytes: &bufferedBytes, into: &events)
        }
        inbound[streamID] = stream
        return delivered
    }

    /// Drops, from every partial message, what `drop` selects (whole keys, or positions).
    mutating func dropPartials(keys dropKey: (Key) -> Bool, positions dropPosition: (UInt32) -> Bool) {
        parkHot()
        for key in Array(partials.keys) {
            guard var partial = partials.removeValue(forKey: key) else { continue }
            if dropKey(key) {
                bufferedBytes -= partial.bytes
                continue
            }
            if partial.started, dropPosition(partial.firstPosition) {
                partial.bytes -= partial.buffer.count
                bufferedBytes -= partial.buffer.count
                partial.buffer = []
                partial.started = false
            }
            for position in Array(partial.early.keys) where dropPosition(position) {
                if let f = partial.early.removeValue(forKey: position) {
                    partial.bytes -= f.payload.count
                    bufferedBytes -= f.payload.count
                }
            }
            if !partial.isEmpty { partials[key] = partial }
        }
    }

    /// FORWARD TSN (DATA): drop fragments up to `tsn`; skip the listed SSNs and release what follows.
    mutating func skip(upTo tsn: UInt32, streams: [ForwardTSNChunk.SkippedStream], into events: inout Deque<SCTPEvent>) -> Int {
        if hotActive || !partials.isEmpty {
            dropPartials(keys: { _ in false }, positions: { Serial.le($0, tsn) })
        }
        var delivered = 0
        for s in streams {
            delivered += skipOrdered(streamID: s.streamID, through: UInt32(s.ssn), into: &events)
        }
        return delivered
    }

    /// I-FORWARD-TSN: drop the skipped messages' fragments; skip the ordered MIDs and release
    /// what follows them.
    mutating func skip(_ skipped: [IForwardTSNChunk.Skipped], into events: inout Deque<SCTPEvent>) -> Int {
        var delivered = 0
        for s in skipped {
            dropPartials(keys: { $0.streamID == s.streamID && $0.unordered == s.unordered && Serial.le($0.sequence, s.mid) },
                         positions: { _ in false })
            guard !s.unordered else {
                if let old = unorderedSkipped[s.streamID], Serial.le(s.mid, old) { continue }
                unorderedSkipped[s.streamID] = s.mid
                continue
            }
            delivered += skipOrdered(streamID: s.streamID, through: s.mid, into: &events)
        }
        return delivered
    }

    /// Streams with any state here (for a reset of all streams).
    var knownStreams: Set<UInt16> {
        var ids = Set(inbound.keys).union(partials.keys.map(\.streamID)).union(unorderedSkipped.keys)
        if hotActive { ids.insert(hotKey.streamID) }
        return ids
    }

    /// RFC 6525: the peer reset these streams; their sequence numbers restart at 0.
    mutating func resetStreams(_ ids: [UInt16]) {
        for id in ids {
            if let s = inbound.removeValue(forKey: id) {
                for m in s.pending.values { bufferedBytes -= m.payload.count }
            }
            unorderedSkipped[id] = nil
        }
        let reset = Set(ids)
        if hotActive || !partials.isEmpty {
            dropPartials(keys: { reset.contains($0.streamID) }, positions: { _ in false })
        }
    }
}
