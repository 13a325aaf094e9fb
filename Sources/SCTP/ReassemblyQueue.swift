import DequeModule
import WireKit

/// Reassembles DATA fragments into messages and releases ordered messages in SSN order.
///
/// Fragments of one message carry consecutive TSNs (RFC 9260 §6.9), so fragments are
/// keyed by TSN; a message is complete when a run B…E has no hole. Memory held here is
/// counted in ``bufferedBytes`` and bounded by the receive window the association enforces.
struct ReassemblyQueue: Sendable {
    struct Fragment: Sendable {
        var streamID: UInt16
        var ssn: UInt16
        var ppid: UInt32
        var flags: UInt8
        var payload: ArraySlice<UInt8>
    }

    struct InboundStream: Sendable {
        var nextSSN: UInt16 = 0
        var pending: [UInt16: SCTPMessage] = [:]
    }

    /// A message arriving in TSN order: its fragments are copied into ``runBuffer`` as they
    /// arrive (while the packet is hot in cache), with no hashing per fragment. Trivial
    /// fields only, so copying a `Run` costs no reference counting.
    struct Run: Sendable {
        var firstTSN: UInt32
        var lastTSN: UInt32
        var streamID: UInt16
        var ssn: UInt16
        var ppid: UInt32
        var flags: UInt8
    }

    let maxMessageSize: Int
    var fragments: [UInt32: Fragment] = [:]
    var run: Run?
    /// The bytes of the current run so far (counted in ``bufferedBytes``).
    var runBuffer: [UInt8] = []
    /// Size of the last message a run assembled: the capacity reserved for the next one, so
    /// bulk transfers of equal messages copy each byte once.
    var runSizeHint = 0
    var inbound: [UInt16: InboundStream] = [:]
    /// Payload bytes held in fragments and in ordered messages waiting for their turn.
    var bufferedBytes = 0
    /// Messages dropped for exceeding `maxMessageSize`.
    var oversizedMessages = 0

    init(maxMessageSize: Int) { self.maxMessageSize = maxMessageSize }

    /// Takes one DATA chunk; appends deliverable messages to `events`.
    /// Returns the number of payload bytes delivered.
    mutating func insert(_ chunk: DataChunk, into events: inout Deque<SCTPEvent>) -> Int {
        if chunk.beginning && chunk.ending {
            return complete(SCTPMessage(streamID: chunk.streamID, ppid: chunk.ppid, unordered: chunk.unordered,
                                        payload: Array(chunk.payload)), ssn: chunk.ssn, into: &events)
        }
        if let fast = insertIntoRun(chunk, into: &events) { return fast }
        fragments[chunk.tsn] = Fragment(streamID: chunk.streamID, ssn: chunk.ssn, ppid: chunk.ppid, flags: chunk.flags, payload: chunk.payload)
        bufferedBytes += chunk.payload.count
        guard chunk.ending || fragments[chunk.tsn &+ 1] != nil else { return 0 }
        // Find B walking back and E walking forward; any hole means not yet complete.
        var first = chunk.tsn
        var total = chunk.payload.count
        var f = fragments[first]
        while let cur = f, cur.flags & 0x02 == 0 {
            guard let prev = fragments[first &- 1], prev.streamID == cur.streamID, prev.flags & 0x01 == 0 else { return 0 }
            first &-= 1
            total += prev.payload.count
            f = prev
        }
        var last = chunk.tsn
        f = fragments[last]
        while let cur = f, cur.flags & 0x01 == 0 {
            guard let next = fragments[last &+ 1], next.streamID == cur.streamID, next.flags & 0x02 == 0 else { return 0 }
            last &+= 1
            total += next.payload.count
            f = next
        }
        var payload = [UInt8]()
        payload.reserveCapacity(total)
        var tsn = first
        var head: Fragment?
        while true {
            if let frag = fragments.removeValue(forKey: tsn) {
                if head == nil { head = frag }
                payload.append(contentsOf: frag.payload)
            }
            if tsn == last { break }
            tsn &+= 1
        }
        bufferedBytes -= total
        guard let head else { return 0 }
        if total > maxMessageSize {
            oversizedMessages += 1
            return 0
        }
        return complete(SCTPMessage(streamID: head.streamID, ppid: head.ppid, unordered: head.flags & 0x04 != 0, payload: payload),
                        ssn: head.ssn, into: &events)
    }

    /// The fast path: extends (or starts) the in-order run. Nil when the chunk does not fit
    /// it and must take the general path.
    mutating func insertIntoRun(_ chunk: DataChunk, into events: inout Deque<SCTPEvent>) -> Int? {
        if let r = run {
            guard chunk.tsn == r.lastTSN &+ 1, !chunk.beginning, chunk.streamID == r.streamID,
                  chunk.unordered == (r.flags & 0x04 != 0) else { return nil }
            runBuffer.append(contentsOf: chunk.payload)
            bufferedBytes += chunk.payload.count
            var last = chunk.tsn
            var ending = chunk.ending
            // Fragments that arrived early (after a loss) continue the run from the dictionary.
            while !ending, !fragments.isEmpty, let next = fragments[last &+ 1], next.flags & 0x02 == 0,
                  next.streamID == r.streamID {
                fragments.removeValue(forKey: last &+ 1)
                runBuffer.append(contentsOf: next.payload)  // already counted in bufferedBytes
                last &+= 1
                ending = next.flags & 0x01 != 0
            }
            guard ending else { run?.lastTSN = last; return 0 }
            run = nil
            let total = runBuffer.count
            bufferedBytes -= total
            var payload = [UInt8]()
            swap(&payload, &runBuffer)
            guard total <= maxMessageSize else { oversizedMessages += 1; return 0 }
            runSizeHint = min(total, 256 << 10)
            return complete(SCTPMessage(streamID: r.streamID, ppid: r.ppid, unordered: r.flags & 0x04 != 0, payload: payload),
                            ssn: r.ssn, into: &events)
        }
        guard chunk.beginning, !chunk.ending, fragments.isEmpty || fragments[chunk.tsn &+ 1] == nil else { return nil }
        run = Run(firstTSN: chunk.tsn, lastTSN: chunk.tsn, streamID: chunk.streamID, ssn: chunk.ssn, ppid: chunk.ppid, flags: chunk.flags)
        runBuffer.removeAll()
        runBuffer.reserveCapacity(max(runSizeHint, 2 * chunk.payload.count))
        runBuffer.append(contentsOf: chunk.payload)
        bufferedBytes += chunk.payload.count
        return 0
    }

    /// A whole message: deliver now (unordered, or next in order) or hold until its turn.
    mutating func complete(_ message: SCTPMessage, ssn: UInt16, into events: inout Deque<SCTPEvent>) -> Int {
        if message.unordered {
            events.append(.message(message))
            return message.payload.count
        }
        // One hash lookup, the stream edited in place.
        return Self.deliver(message, ssn: ssn, stream: &inbound[message.streamID, default: InboundStream()],
                            bufferedBytes: &bufferedBytes, events: &events)
    }

    /// Delivers `message` if it is next on `stream` (then any held successors), else holds it.
    static func deliver(_ message: SCTPMessage, ssn: UInt16, stream: inout InboundStream, bufferedBytes: inout Int,
                        events: inout Deque<SCTPEvent>) -> Int {
        if ssn == stream.nextSSN {
            var delivered = message.payload.count
            events.append(.message(message))
            stream.nextSSN &+= 1
            delivered += drain(&stream, bufferedBytes: &bufferedBytes, into: &events)
            return delivered
        }
        if Serial.lt16(stream.nextSSN, ssn), stream.pending[ssn] == nil {
            stream.pending[ssn] = message
            bufferedBytes += message.payload.count
        }
        return 0
    }

    mutating func drain(_ stream: inout InboundStream, into events: inout Deque<SCTPEvent>) -> Int {
        Self.drain(&stream, bufferedBytes: &bufferedBytes, into: &events)
    }

    static func drain(_ stream: inout InboundStream, bufferedBytes: inout Int, into events: inout Deque<SCTPEvent>) -> Int {
        var delivered = 0
        while !stream.pending.isEmpty, let next = stream.pending.removeValue(forKey: stream.nextSSN) {
            bufferedBytes -= next.payload.count
            delivered += next.payload.count
            events.append(.message(next))
            stream.nextSSN &+= 1
        }
        return delivered
    }

    /// FORWARD TSN: drop fragments up to `tsn`; skip the listed SSNs and release what follows.
    mutating func skip(upTo tsn: UInt32, streams: [ForwardTSNChunk.SkippedStream], into events: inout Deque<SCTPEvent>) -> Int {
        if let r = run, Serial.le(r.firstTSN, tsn) {
            bufferedBytes -= runBuffer.count  // an abandoned message
            run = nil
            runBuffer.removeAll()
        }
        if !fragments.isEmpty {
            for key in Array(fragments.keys) where Serial.le(key, tsn) {
                if let f = fragments.removeValue(forKey: key) { bufferedBytes -= f.payload.count }
            }
        }
        var delivered = 0
        for s in streams {
            var stream = inbound[s.streamID] ?? InboundStream()
            if Serial.le16(stream.nextSSN, s.ssn) {
                for key in Array(stream.pending.keys) where Serial.le16(key, s.ssn) {
                    if let m = stream.pending.removeValue(forKey: key) { bufferedBytes -= m.payload.count }
                }
                stream.nextSSN = s.ssn &+ 1
                delivered += drain(&stream, into: &events)
            }
            inbound[s.streamID] = stream
        }
        return delivered
    }

    /// RFC 6525: the peer reset these streams; their SSNs restart at 0.
    mutating func resetStreams(_ ids: [UInt16]) {
        for id in ids {
            if let s = inbound.removeValue(forKey: id) {
                for m in s.pending.values { bufferedBytes -= m.payload.count }
            }
        }
    }
}
