import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Messages queued as slices of a larger buffer (``SCTPAssociation/send(stream:ppid:message:ordered:reliability:accounted:now:)``
/// with an `ArraySlice`, how rtc-peer sends its pattern pool without copying): fragmented,
/// retransmitted after loss and delivered as exactly the slice's bytes, whatever its start index.
@Suite struct SliceSendTests {
    @Test("slices at varying offsets of one buffer arrive byte for byte, under loss", arguments: [UInt64(3), 4])
    func slicesArriveIntact(seed: UInt64) {
        var ca = SCTPConfiguration(); ca.randomSeed = seed &* 3 &+ 1
        var cb = SCTPConfiguration(); cb.randomSeed = seed &* 5 &+ 2
        ca.enableInterleaving = seed % 2 == 1
        var p = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                        ab: PairLinkConditions(delay: .milliseconds(10), loss: 0.03),
                        ba: PairLinkConditions(delay: .milliseconds(10), loss: 0.03), seed: seed)
        var rng = SeededRandom(seed: seed)
        let pool = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try? p.a.connect(now: p.now)
        var steps = 0
        while !(p.a.isEstablished && p.b.isEstablished), steps < 10_000, p.step() { steps += 1 }
        #expect(p.a.isEstablished, "seed \(seed): not established")
        // Sizes from one byte to several packets' worth, at offsets that are never zero.
        let messages: [ArraySlice<UInt8>] = (0..<60).map { i in
            let size = 1 + (i * 7919) % 9_000
            let offset = 1 + (i * 104_729) % (pool.count - size - 1)
            return pool[offset..<(offset + size)]
        }
        for m in messages {
            do {
                try p.a.send(stream: 1, ppid: 53, message: m, now: p.now)
            } catch {
                Issue.record("seed \(seed): send failed: \(error)")
                return
            }
        }
        var received: [[UInt8]] = []
        steps = 0
        while received.count < messages.count, steps < 200_000, p.step(limit: p.now + .seconds(120)) {
            steps += 1
            while p.a.pollEvent() != nil {}
            while let e = p.b.pollEvent() { if case .message(let m) = e { received.append(m.payload) } }
        }
        #expect(received.count == messages.count, "seed \(seed): \(received.count) of \(messages.count) delivered")
        for (i, m) in zip(received, messages).enumerated() where m.0 != Array(m.1) {
            Issue.record("seed \(seed): message \(i) differs from its slice")
        }
        #expect(p.a.statistics.retransmissions > 0, "seed \(seed): the loss must cause retransmissions from slices")
    }
}

/// ``SCTPAssociation/handle(packetBytes:now:)``, the receive path from a DTLS scratch buffer:
/// packets read as views of a larger buffer (at an offset, the rest of it garbage) give the
/// same transfer as ``SCTPAssociation/handle(packet:now:)``, under loss.
@Suite struct PacketBytesReceiveTests {
    @Test("a lossy transfer received through views of a scratch buffer", arguments: [UInt64(5), 6])
    func transferThroughViews(seed: UInt64) {
        var ca = SCTPConfiguration(); ca.randomSeed = seed &* 3 &+ 1
        var cb = SCTPConfiguration(); cb.randomSeed = seed &* 5 &+ 2
        ca.enableInterleaving = seed % 2 == 1
        var a = SCTPAssociation(configuration: ca)
        var b = SCTPAssociation(configuration: cb)
        var rng = SeededRandom(seed: seed)
        var now = Instant.zero
        var scratch = [UInt8](repeating: 0xEE, count: 70_000)
        try? a.connect(now: now)
        let messages = (0..<30).map { i in (0..<(1 + (i * 7919) % 20_000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        var queued = false
        var received: [[UInt8]] = []
        for _ in 0..<20_000 where received.count < messages.count {
            if !queued, a.isEstablished {
                for m in messages { try? a.send(stream: 2, ppid: 53, message: m, now: now) }
                queued = true
            }
            var moved = false
            while let p = a.pollTransmit() {
                moved = true
                guard rng.next() % 100 >= 3 else { continue }  // 3 % loss
                let offset = 1 + Int(rng.next() % 64)
                scratch.replaceSubrange(offset..<(offset + p.count), with: p)
                scratch.withUnsafeBytes { b.handle(packetBytes: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + p.count)]), now: now) }
            }
            while let p = b.pollTransmit() {
                moved = true
                if rng.next() % 100 >= 3 { a.handle(packet: p, now: now) }
            }
            while a.pollEvent() != nil {}
            while let e = b.pollEvent() { if case .message(let m) = e { received.append(m.payload) } }
            if !moved {
                let next = [a.pollTimeout(), b.pollTimeout()].compactMap { $0 }.min() ?? now + .milliseconds(10)
                now = max(now + .milliseconds(1), next)
                if let t = a.pollTimeout(), t <= now { a.handle(timeout: now) }
                if let t = b.pollTimeout(), t <= now { b.handle(timeout: now) }
            }
        }
        #expect(received == messages, "seed \(seed): \(received.count) of \(messages.count) delivered")
        #expect(b.statistics.packetsReceived > 30, "seed \(seed)")
    }
}
