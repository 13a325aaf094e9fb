import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Chunk codecs, checksum, and hostile input.
@Suite struct PacketTests {
    static func take(_ a: inout SCTPAssociation) throws -> [UInt8] { try LifecycleTests.take(&a) }

    @Test("every chunk type round-trips")
    func roundTrip() throws {
        let payload: [UInt8] = Array(0..<37)
        let chunks: [SCTPChunk] = [
            .data(DataChunk(tsn: 7, streamID: 3, ssn: 9, ppid: 53, unordered: true, beginning: true, ending: false, payload: payload[...])),
            .initiation(InitChunk(initiateTag: 5, advertisedReceiverWindow: 1 << 20, outboundStreams: 10, inboundStreams: 11, initialTSN: 99)),
            .initiationAck(InitChunk(initiateTag: 6, advertisedReceiverWindow: 2, outboundStreams: 1, inboundStreams: 1, initialTSN: 1, stateCookie: [1, 2, 3])),
            .sack(SackChunk(cumulativeTSNAck: 100, advertisedReceiverWindow: 5000, gapBlocks: [.init(start: 2, end: 4)], duplicateTSNs: [99])),
            .heartbeat(HeartbeatChunk(info: [1, 2, 3, 4, 5])),
            .heartbeatAck(HeartbeatChunk(info: [9])),
            .abort(AbortChunk(causes: [.userAbort("x"), ErrorCause(code: 4)])),
            .shutdown(ShutdownChunk(cumulativeTSNAck: 77)),
            .shutdownAck,
            .error(ErrorChunk(causes: [ErrorCause(code: 3, info: [0, 0, 0, 1])])),
            .cookieEcho(CookieEchoChunk(cookie: [4, 5, 6])),
            .cookieAck,
            .shutdownComplete(tagReflected: true),
            .reconfig(ReconfigChunk(parameters: [.outgoingResetRequest(requestSequence: 1, responseSequence: 2, lastAssignedTSN: 3, streams: [4, 5, 6])])),
            .reconfig(ReconfigChunk(parameters: [.response(responseSequence: 8, result: 1)])),
            .forwardTSN(ForwardTSNChunk(newCumulativeTSN: 50, streams: [.init(streamID: 1, ssn: 2)])),
            .iData(IDataChunk(tsn: 8, streamID: 4, mid: 70_000, ppid: 51, unordered: false, beginning: true, ending: false, payload: payload[...])),
            .iData(IDataChunk(tsn: 9, streamID: 4, mid: 70_000, fsn: 1, unordered: true, beginning: false, ending: true, payload: payload[3...])),
            .iForwardTSN(IForwardTSNChunk(newCumulativeTSN: 60, skipped: [.init(streamID: 2, unordered: true, mid: 5), .init(streamID: 3, unordered: false, mid: 1 << 20)])),
            .initiation(InitChunk(initiateTag: 5, advertisedReceiverWindow: 1, outboundStreams: 1, inboundStreams: 1, initialTSN: 9,
                                  supportedExtensions: [ChunkType.reconfig, ChunkType.iData], cookiePreservative: 1500)),
        ]
        for chunk in chunks {
            let packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 42, chunks: [chunk])
            let parsed = try SCTPPacket.parse(packet.serialize())
            #expect(parsed == packet)
        }
        let bundle = SCTPPacket(sourcePort: 1, destinationPort: 2, verificationTag: 3, chunks: chunks)
        #expect(try SCTPPacket.parse(bundle.serialize()) == bundle)
    }

    @Test("CRC-32C matches the RFC 9260 / iSCSI test vector and detects corruption")
    func checksum() throws {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        var bytes = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 1, chunks: [.cookieAck]).serialize()
        bytes[13] ^= 0x01
        #expect(throws: SCTPParseError.self) { try SCTPPacket.parse(bytes) }
    }

    @Test("malformed packets are rejected by the parser, never trap")
    func malformed() {
        func sealed(_ b: [UInt8]) -> [UInt8] { var b = b; SCTPPacket.seal(&b); return b }
        let header: [UInt8] = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0]
        let cases: [[UInt8]] = [
            [], [1, 2, 3],
            sealed(header),                                   // no chunks
            sealed(header + [0, 3, 0, 2]),                    // chunk length < 4
            sealed(header + [0, 3, 0, 200, 1, 2, 3, 4]),      // chunk length past end
            sealed(header + [0, 3, 0, 16] + [UInt8](repeating: 0, count: 12)),  // DATA without payload
            sealed(header + [3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 9, 0, 0]), // SACK with 9 gaps, none present
            sealed(header + [1, 0, 0, 20] + [UInt8](repeating: 0, count: 16)),  // INIT with tag 0
        ]
        for c in cases {
            #expect(throws: SCTPParseError.self) { try SCTPPacket.parse(c) }
        }
    }

    @Test("an established association drops and counts garbage, then keeps working")
    func garbageIsCounted() throws {
        var p = LifecycleTests.connected(seed: 61)
        let before = p.b.statistics
        var rng = SeededRandom(seed: 61)
        for i in 0..<200 { p.b.handle(packet: rng.bytes(i % 90), now: p.now) }
        // Valid checksum, broken chunk.
        var bad: [UInt8] = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 40]
        SCTPPacket.seal(&bad)
        p.b.handle(packet: bad, now: p.now)
        let after = p.b.statistics
        #expect(after.badChecksum + after.malformed - before.badChecksum - before.malformed >= 200)
        #expect(p.b.isEstablished)
        let r = TransferScenario(messageCount: 5, messageSize: { _ in 2000 })
        var pair = p
        try pair.a.send(stream: 0, ppid: 51, message: [1, 2, 3], now: pair.now)
        var got = false
        for _ in 0..<100 where !got {
            pair.step()
            while let e = pair.b.pollEvent() { if case .message(let m) = e { got = m.payload == [1, 2, 3] } }
        }
        #expect(got)
        _ = r
    }

    @Test("randomized mutation of valid packets (re-sealed so the chunk parsers run) never traps")
    func mutation() throws {
        // Capture real traffic of a short transfer (packets exchanged directly, timers fired).
        var a = SCTPAssociation(), b = SCTPAssociation()
        var now = Instant.zero
        try a.connect(now: now)
        var corpus = [[UInt8]]()
        var sent = false
        for _ in 0..<200 {
            while let t = a.pollTransmit() { corpus.append(t); b.handle(packet: t, now: now) }
            while let t = b.pollTransmit() { corpus.append(t); a.handle(packet: t, now: now) }
            while a.pollEvent() != nil {}
            while b.pollEvent() != nil {}
            if a.isEstablished && !sent {
                sent = true
                for i in 0..<20 { try a.send(stream: UInt16(i % 3), ppid: 53, message: TransferScenario.payload(index: i, size: 2500), now: now) }
                try a.resetStreams([2], now: now)
            }
            now = now + .milliseconds(50)
            a.handle(timeout: now); b.handle(timeout: now)
        }
        #expect(corpus.count > 20)
        var rng = SeededRandom(seed: 0xF022)
        var victim = b
        var parsed = 0
        for round in 0..<20_000 {
            var packet = corpus[Int(rng.next() % UInt64(corpus.count))]
            let flips = 1 + Int(rng.next() % 4)
            for _ in 0..<flips where packet.count > 12 {
                let i = 12 + Int(rng.next() % UInt64(packet.count - 12))
                packet[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 8 == 0 { packet.removeLast(Int(rng.next() % UInt64(packet.count))) }
            if packet.count >= 12 { SCTPPacket.seal(&packet) }
            if (try? SCTPPacket.parse(packet)) != nil { parsed += 1 }
            victim.handle(packet: packet, now: now + .milliseconds(Int64(round)))
            while victim.pollTransmit() != nil {}
            while victim.pollEvent() != nil {}
        }
        #expect(parsed > 0)
        #expect(victim.statistics.malformed > 0)
    }

    @Test("packets of DATA chunks and SACKs only (the receive fast path): several per packet delivered, corruption and empty DATA counted, buffers reused")
    func dataOnlyPackets() throws {
        var (a, b) = try SackTimingTests.established()
        // Two small messages: one packet with two DATA chunks, written into a reused buffer.
        try a.send(stream: 1, ppid: 53, message: [1, 2, 3], now: .zero)
        try a.send(stream: 1, ppid: 53, message: [4, 5], now: .zero)
        var buffer = [UInt8](repeating: 0xEE, count: 2000)
        let wrote = a.pollTransmit(into: &buffer)
        #expect(wrote)
        let packet = buffer
        #expect(try SCTPPacket.parse(packet).chunks.count == 2)
        var corrupted = packet
        corrupted[corrupted.count - 1] ^= 0x40
        let before = b.statistics
        b.handle(packet: corrupted, now: .zero)
        #expect(b.statistics.badChecksum == before.badChecksum + 1)
        b.handle(packet: packet, now: .zero)
        var got: [[UInt8]] = []
        while let e = b.pollEvent() { if case .message(let m) = e { got.append(m.payload) } }
        #expect(got == [[1, 2, 3], [4, 5]])
        // The same TSNs again: duplicates, reported at once.
        b.handle(packet: packet, now: .zero)
        #expect(b.statistics.duplicateTSNs == before.duplicateTSNs + 2)
        // A DATA chunk without user data, correctly tagged and sealed: malformed, nothing delivered.
        var empty = Array(packet[0..<12]) + [0, 3, 0, 16] + [UInt8](repeating: 0, count: 12)
        SCTPPacket.seal(&empty)
        b.handle(packet: empty, now: .zero)
        #expect(b.statistics.malformed == before.malformed + 1)
        #expect(b.pollEvent() == nil)
        // Nothing to send: false, the buffer left empty.
        while a.pollTransmit() != nil {}
        let wroteAgain = a.pollTransmit(into: &buffer)
        #expect(!wroteAgain)
        #expect(buffer.isEmpty)
    }
}
