import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// RFC 6525 ordering rules for outgoing SSN resets: the request waits for the stream's queued
/// data, its Sender's Last Assigned TSN covers every DATA chunk sent on the stream before it,
/// and the receiver defers the reset (holding later data for the stream) until that TSN arrived.
@Suite struct StreamResetTests {
    /// An association whose outgoing packets are checked against the sender-side rules.
    struct Checked: PacketEndpoint {
        var inner: SCTPAssociation
        /// Highest TSN of a DATA chunk sent per stream.
        var highestTSN: [UInt16: UInt32] = [:]
        /// The last reset request seen per stream (its last assigned TSN).
        var requested: [UInt16: UInt32] = [:]
        var violations: [String] = []
        var requests = 0

        mutating func handle(packet: [UInt8], now: Instant) { inner.handle(packet: packet, now: now) }
        mutating func handle(timeout now: Instant) { inner.handle(timeout: now) }
        func pollTimeout() -> Instant? { inner.pollTimeout() }
        mutating func pollTransmit() -> [UInt8]? {
            guard let bytes = inner.pollTransmit() else { return nil }
            guard let packet = try? SCTPPacket.parse(bytes) else { violations.append("unparseable packet"); return bytes }
            for chunk in packet.chunks {
                switch chunk {
                case .data(let d):
                    if let last = requested[d.streamID], (d.tsn &- last) < 1 << 31, d.tsn != last {
                        violations.append("DATA TSN \(d.tsn) on stream \(d.streamID) after its reset request (last TSN \(last))")
                    }
                    if let h = highestTSN[d.streamID], (h &- d.tsn) < 1 << 31 { continue }
                    highestTSN[d.streamID] = d.tsn
                case .reconfig(let r):
                    for case .outgoingResetRequest(_, _, let last, let streams) in r.parameters {
                        requests += 1
                        for s in streams {
                            if let h = highestTSN[s], (last &- h) >= 1 << 31 {
                                violations.append("reset of stream \(s) with last TSN \(last) below its DATA TSN \(h)")
                            }
                            if inner.bufferedAmount(stream: s) != 0 {
                                violations.append("reset of stream \(s) while \(inner.bufferedAmount(stream: s)) bytes are queued")
                            }
                            requested[s] = last
                        }
                    }
                default: break
                }
            }
            return bytes
        }
    }

    @Test("the reset request waits for the stream's queued data and covers all of it",
          arguments: [1200, 16000])
    func requestAfterQueuedData(mtu: Int) throws {
        for seed: UInt64 in [5, 6, 7] {
            var ca = SCTPConfiguration(); ca.randomSeed = seed &+ 10; ca.maxPacketSize = mtu
            var cb = SCTPConfiguration(); cb.randomSeed = seed &+ 20; cb.maxPacketSize = mtu
            let c = PairLinkConditions(delay: .milliseconds(20), jitter: .milliseconds(5), loss: 0.05, reorder: 0.2)
            var p = SimPair(a: Checked(inner: SCTPAssociation(configuration: ca)), b: Checked(inner: SCTPAssociation(configuration: cb)),
                            ab: c, ba: c, seed: seed)
            try p.a.inner.connect(now: p.now)
            for _ in 0..<1000 where !(p.a.inner.isEstablished && p.b.inner.isEstablished) {
                p.step(); while p.a.inner.pollEvent() != nil {}; while p.b.inner.pollEvent() != nil {}
            }
            #expect(p.a.inner.isEstablished, "seed \(seed)")
            // Stream 3 is reset with 200 KB queued; stream 5 keeps sending around it.
            for i in 0..<40 { try p.a.inner.send(stream: 3, ppid: 53, message: TransferScenario.payload(index: i, size: 5000), now: p.now) }
            for i in 0..<40 { try p.a.inner.send(stream: 5, ppid: 53, message: TransferScenario.payload(index: i, size: 3000), now: p.now) }
            try p.a.inner.resetStreams([3], now: p.now)
            #expect(throws: SCTPError.self) { try p.a.inner.send(stream: 3, ppid: 53, message: [1], now: p.now) }
            var received: [UInt16: [Int]] = [:]
            var resetSeenAt: Int?
            var done = false
            let end = p.now + .seconds(60)
            while !done, p.now < end, p.step(limit: end) {
                while let e = p.a.inner.pollEvent() { if e == .outgoingStreamsReset([3]) { done = true } }
                while let e = p.b.inner.pollEvent() {
                    switch e {
                    case .message(let m): received[m.streamID, default: []].append(TransferScenario.check(m.payload, expectedIndex: nil) ?? -1)
                    case .incomingStreamsReset(let ids):
                        #expect(ids == [3], "seed \(seed)")
                        resetSeenAt = received[3]?.count ?? 0
                    default: break
                    }
                }
            }
            #expect(done, "seed \(seed) mtu \(mtu): reset completed")
            #expect(p.a.violations.isEmpty, "seed \(seed) mtu \(mtu): \(p.a.violations.prefix(3))")
            #expect(p.a.requests >= 1, "seed \(seed)")
            #expect(received[3] == Array(0..<40), "seed \(seed) mtu \(mtu)")
            #expect(resetSeenAt == 40, "seed \(seed) mtu \(mtu): the peer performs the reset after the last message")
            // After the reset, the stream starts again at SSN 0 and is delivered.
            try p.a.inner.send(stream: 3, ppid: 53, message: TransferScenario.payload(index: 99, size: 100), now: p.now)
            let end2 = p.now + .seconds(30)
            var after = false
            while !after, p.now < end2, p.step(limit: end2) {
                while p.a.inner.pollEvent() != nil {}
                while let e = p.b.inner.pollEvent() {
                    if case .message(let m) = e, m.streamID == 3, TransferScenario.check(m.payload, expectedIndex: nil) == 99 { after = true }
                }
            }
            #expect(after, "seed \(seed) mtu \(mtu): the reset stream carries new messages")
        }
    }

    @Test("data sent after a deferred reset request is held until the reset is performed (RFC 6525 §5.2.2)")
    func deferredResetHoldsLaterData() throws {
        var p = LifecycleTests.connected(seed: 77, interleaving: false)  // the test rewrites DATA chunks
        for i in 0..<3 { try p.a.send(stream: 1, ppid: 53, message: TransferScenario.payload(index: i, size: 2000), now: p.now) }
        try p.a.resetStreams([1], now: p.now)
        var dataPackets = [[UInt8]](), requestPacket: [UInt8]?
        var lastTSN: UInt32 = 0
        while let bytes = p.a.pollTransmit() {
            let packet = try SCTPPacket.parse(bytes)
            for chunk in packet.chunks {
                if case .reconfig(let r) = chunk, case .outgoingResetRequest(_, _, let last, _)? = r.parameters.first {
                    requestPacket = SCTPPacket(sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
                                               verificationTag: packet.verificationTag, chunks: [chunk]).serialize()
                    lastTSN = last
                }
            }
            let data = packet.chunks.filter { if case .data = $0 { return true } else { return false } }
            if !data.isEmpty {
                dataPackets.append(SCTPPacket(sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
                                              verificationTag: packet.verificationTag, chunks: data).serialize())
            }
        }
        let request = try #require(requestPacket)
        let header = try SCTPPacket.parse(request)
        // The request overtakes the data; then a DATA chunk for the reset stream with the next
        // TSN and SSN 0 (a peer that sends on the stream right after its request); then the data.
        p.b.handle(packet: request, now: p.now)
        let after = DataChunk(tsn: lastTSN &+ 1, streamID: 1, ssn: 0, ppid: 53, beginning: true, ending: true,
                              payload: ArraySlice(TransferScenario.payload(index: 7, size: 50)))
        p.b.handle(packet: SCTPPacket(sourcePort: header.sourcePort, destinationPort: header.destinationPort,
                                      verificationTag: header.verificationTag, chunks: [.data(after)]).serialize(), now: p.now)
        var events = [SCTPEvent]()
        while let e = p.b.pollEvent() { events.append(e) }
        #expect(events.isEmpty, "nothing is delivered before the reset: \(events)")
        for d in dataPackets { p.b.handle(packet: d, now: p.now) }
        while let e = p.b.pollEvent() { events.append(e) }
        let summary = events.map { e -> String in
            switch e {
            case .message(let m): return "m\(TransferScenario.check(m.payload, expectedIndex: nil) ?? -1)"
            case .incomingStreamsReset(let ids): return "reset\(ids)"
            default: return "\(e)"
            }
        }
        #expect(summary == ["m0", "m1", "m2", "reset[1]", "m7"])
        #expect(p.b.receiveBufferedBytes == 0)
    }
}
