import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// ``SCTPOutgoingPacket``, the send path that leaves the user data in the messages until the
/// packet is written into its final buffer: under loss, both ways (so retransmissions are built from the
/// kept slices too), with DATA and I-DATA and odd message sizes (padding), every packet written
/// at an offset of a dirty buffer is the packet the array path writes and the one the chunk
/// encoders make of its parsed chunks, and the transfer delivers every message intact.
@Suite struct OutgoingPacketTests {
    /// An association whose packets come out of `pollTransmit(into: &SCTPOutgoingPacket)`, each
    /// checked against the other encoders before it is sent.
    struct CheckedEndpoint: PacketEndpoint {
        var association: SCTPAssociation
        var packet = SCTPOutgoingPacket()
        var checked = 0
        var mismatches: [String] = []

        mutating func handle(packet: [UInt8], now: Instant) { association.handle(packet: packet, now: now) }
        mutating func handle(timeout now: Instant) { association.handle(timeout: now) }
        func pollTimeout() -> Instant? { association.pollTimeout() }

        mutating func pollTransmit() -> [UInt8]? {
            guard association.pollTransmit(into: &packet) else { return nil }
            // Written into the middle of a buffer full of garbage: only its own bytes change.
            var buffer = [UInt8](repeating: 0xEE, count: packet.count + 11)
            buffer.withUnsafeMutableBytes { raw in packet.write(into: UnsafeMutableRawBufferPointer(rebasing: raw[5..<(5 + packet.count)])) }
            let written = Array(buffer[5..<(5 + packet.count)])
            if buffer[..<5].contains(where: { $0 != 0xEE }) || buffer[(5 + packet.count)...].contains(where: { $0 != 0xEE }) {
                mismatches.append("packet \(checked) written outside its buffer")
            }
            var array: [UInt8] = [1, 2, 3]
            packet.write(into: &array)
            if array != written { mismatches.append("packet \(checked): array and buffer writes differ") }
            do {
                var chunks: [SCTPChunk] = []
                let h = try SCTPPacket.parse(written, chunks: &chunks, acceptingZeroChecksum: true)
                var encoded = SCTPPacket(sourcePort: h.sourcePort, destinationPort: h.destinationPort,
                                         verificationTag: h.verificationTag, chunks: chunks).serialize()
                if written[8..<12].allSatisfy({ $0 == 0 }) { encoded.replaceSubrange(8..<12, with: [0, 0, 0, 0]) }
                if encoded != written { mismatches.append("packet \(checked) differs from the chunk encoders' bytes") }
            } catch {
                mismatches.append("packet \(checked) does not parse: \(error)")
            }
            packet.releaseUserData()
            checked += 1
            return written
        }
    }

    @Test("packets of the deferred path are the encoders' packets, under loss", arguments: [false, true])
    func deferredPacketsMatchTheEncoders(interleaving: Bool) {
        let seed: UInt64 = interleaving ? 11 : 12
        var ca = SCTPConfiguration(); ca.randomSeed = seed; ca.enableInterleaving = interleaving
        var cb = SCTPConfiguration(); cb.randomSeed = seed + 1; cb.enableInterleaving = interleaving
        let link = PairLinkConditions(delay: .milliseconds(10), loss: 0.03)
        var p = SimPair(a: CheckedEndpoint(association: SCTPAssociation(configuration: ca)),
                        b: CheckedEndpoint(association: SCTPAssociation(configuration: cb)), ab: link, ba: link, seed: seed)
        try? p.a.association.connect(now: p.now)
        var steps = 0
        while !(p.a.association.isEstablished && p.b.association.isEstablished), steps < 10_000, p.step() { steps += 1 }
        #expect(p.a.association.isEstablished, "seed \(seed): not established")
        var rng = SeededRandom(seed: seed)
        let messages: [[UInt8]] = (0..<40).map { i in
            (0..<(1 + (i * 7919) % 5_003)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        for (i, m) in messages.enumerated() {
            do {
                try p.a.association.send(stream: UInt16(i % 3), ppid: 53, message: m, now: p.now)
            } catch {
                Issue.record("seed \(seed): send failed: \(error)")
                return
            }
        }
        var received: [UInt16: [[UInt8]]] = [:]
        var count = 0
        steps = 0
        while count < messages.count, steps < 200_000, p.step(limit: p.now + .seconds(120)) {
            steps += 1
            while p.a.association.pollEvent() != nil {}
            while let e = p.b.association.pollEvent() {
                if case .message(let m) = e { received[m.streamID, default: []].append(m.payload); count += 1 }
            }
        }
        #expect(p.a.mismatches.isEmpty, "seed \(seed): \(p.a.mismatches.prefix(3))")
        #expect(p.b.mismatches.isEmpty, "seed \(seed): \(p.b.mismatches.prefix(3))")
        #expect(p.a.checked > messages.count, "seed \(seed): only \(p.a.checked) packets checked")
        #expect(p.a.association.statistics.retransmissions > 0, "seed \(seed): the loss must cause retransmissions")
        for s in UInt16(0)..<3 {
            let sent = messages.enumerated().filter { $0.offset % 3 == Int(s) }.map(\.element)
            #expect((received[s] ?? []) == sent, "seed \(seed): stream \(s) delivered other bytes")
        }
    }
}
