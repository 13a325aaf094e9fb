import SCTP
import WireKit

/// A bulk transfer from `a` to `b` over a ``SimPair`` of associations: the sender keeps the
/// stream's buffered amount under a high-water mark and refills on `bufferedAmountLow`, the
/// receiver checks every message's content and (for ordered streams) order.
public struct TransferScenario {
    /// Messages to send.
    public var messageCount: Int
    /// Size of message `i`.
    public var messageSize: @Sendable (Int) -> Int
    /// Send ordered.
    public var ordered = true
    /// PR-SCTP policy of every message.
    public var reliability: SCTPAssociation.Reliability = .reliable
    /// Refill up to this buffered amount.
    public var highWater = 1 << 20
    /// bufferedAmountLowThreshold.
    public var lowWater = 256 << 10
    /// Give up at this virtual time.
    public var timeLimit: Duration = .seconds(600)
    /// Check message bytes (costs time in benchmarks).
    public var verifyContent = true

    /// A scenario of `messageCount` messages sized by `messageSize`.
    public init(messageCount: Int, messageSize: @escaping @Sendable (Int) -> Int) {
        self.messageCount = messageCount
        self.messageSize = messageSize
    }

    /// What happened.
    public struct Result: Sendable {
        /// Messages delivered to b.
        public var delivered = 0
        /// Payload bytes delivered.
        public var bytes = 0
        /// Indices delivered, in delivery order.
        public var order: [Int] = []
        /// First problem seen (corrupt content, misordering, error), if any.
        public var failure: String?
        /// bufferedAmountLow events seen by the sender.
        public var lowEvents = 0
        /// Times the sender hit the high-water mark and paused.
        public var pauses = 0
        /// Virtual time from connect to the last delivery.
        public var elapsed: Duration = .zero
        /// Largest receive-side buffer observed at b (reassembly + undelivered).
        public var peakReceiveBuffer = 0
        /// Largest send-side queue observed at a.
        public var peakSendQueue = 0
        /// Largest retransmission queue observed at a (chunks).
        public var peakOutstanding = 0
    }

    /// Builds message `i` (its index in the first four bytes, then a pattern).
    public static func payload(index: Int, size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        for j in 0..<size { bytes[j] = UInt8(truncatingIfNeeded: index &+ j &* 7) }
        if size >= 4 {
            bytes[0] = UInt8(truncatingIfNeeded: index >> 24); bytes[1] = UInt8(truncatingIfNeeded: index >> 16)
            bytes[2] = UInt8(truncatingIfNeeded: index >> 8); bytes[3] = UInt8(truncatingIfNeeded: index)
        }
        return bytes
    }

    /// Recovers the index of a message built by ``payload(index:size:)`` and checks the rest.
    public static func check(_ bytes: [UInt8], expectedIndex: Int?) -> Int? {
        guard bytes.count >= 4 else {
            guard let e = expectedIndex, bytes.count > 0, bytes[0] == UInt8(truncatingIfNeeded: e) else { return nil }
            return e
        }
        let index = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        var j = 4
        while j < bytes.count {
            if bytes[j] != UInt8(truncatingIfNeeded: index &+ j &* 7) { return nil }
            j += 1
        }
        return index
    }

    /// Connects the pair (a initiates; `bothConnect` makes b initiate too) and runs the transfer.
    public func run(_ pair: inout SimPair<SCTPAssociation>, bothConnect: Bool = false) -> Result {
        var result = Result()
        let start = pair.now
        try? pair.a.connect(now: pair.now)
        if bothConnect { try? pair.b.connect(now: pair.now) }
        let deadline = start + timeLimit
        var connectedA = false
        while pair.now < deadline, pair.step(limit: deadline) {
            while let e = pair.a.pollEvent() { if e == .connected { connectedA = true } }
            while pair.b.pollEvent() != nil {}
            if connectedA && pair.b.isEstablished { break }
        }
        guard connectedA else { result.failure = "not connected"; return result }
        pair.a.setBufferedAmountLowThreshold(lowWater, stream: 0)
        var sent = 0
        func fill(_ a: inout SCTPAssociation, now: Instant) -> String? {
            while sent < messageCount {
                if a.bufferedAmount(stream: 0) >= highWater { result.pauses += 1; return nil }
                let size = messageSize(sent)
                do {
                    try a.send(stream: 0, ppid: 53, message: verifyContent ? TransferScenario.payload(index: sent, size: size)
                                                                          : [UInt8](repeating: UInt8(truncatingIfNeeded: sent), count: size),
                               ordered: ordered, reliability: reliability, now: now)
                } catch {
                    return "send \(sent) failed: \(error)"
                }
                sent += 1
            }
            return nil
        }
        if let f = fill(&pair.a, now: pair.now) { result.failure = f; return result }
        var lastIndex = -1
        var iterations = 0
        while result.delivered < messageCount, pair.now < deadline {
            iterations += 1
            if !pair.step(limit: deadline) { break }
            while let e = pair.a.pollEvent() {
                switch e {
                case .bufferedAmountLow:
                    result.lowEvents += 1
                    if let f = fill(&pair.a, now: pair.now) { result.failure = f; return result }
                case .aborted(let reason): result.failure = "a aborted: \(reason)"; return result
                default: break
                }
            }
            result.peakReceiveBuffer = max(result.peakReceiveBuffer, pair.b.receiveBufferedBytes)
            while let e = pair.b.pollEvent() {
                switch e {
                case .message(let m):
                    result.delivered += 1
                    result.bytes += m.payload.count
                    if verifyContent {
                        let expected = ordered && reliability == .reliable ? lastIndex + 1 : nil
                        guard let index = TransferScenario.check(m.payload, expectedIndex: expected ?? (m.payload.count < 4 ? lastIndex + 1 : nil)) else {
                            result.failure = "corrupt message after index \(lastIndex)"; return result
                        }
                        if ordered && index <= lastIndex { result.failure = "out of order: \(index) after \(lastIndex)"; return result }
                        if ordered && reliability == .reliable && index != lastIndex + 1 {
                            result.failure = "gap: \(index) after \(lastIndex)"; return result
                        }
                        if m.payload.count != messageSize(index) { result.failure = "size mismatch at \(index)"; return result }
                        lastIndex = max(lastIndex, index)
                        result.order.append(index)
                    }
                case .aborted(let reason): result.failure = "b aborted: \(reason)"; return result
                default: break
                }
            }
            result.peakSendQueue = max(result.peakSendQueue, pair.a.totalBufferedAmount)
            result.peakOutstanding = max(result.peakOutstanding, pair.a.outstandingChunkCount)
            if reliability != .reliable && sent == messageCount && pair.a.outstandingChunkCount == 0
                && pair.a.totalBufferedAmount == 0 && pair.ab.inFlight == 0 && pair.ba.inFlight == 0 {
                break  // everything delivered or abandoned
            }
        }
        result.elapsed = pair.now - start
        if result.failure == nil && reliability == .reliable && result.delivered != messageCount {
            result.failure = "only \(result.delivered) of \(messageCount) delivered by \(pair.now)"
        }
        return result
    }
}
