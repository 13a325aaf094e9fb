import DTLS
import Testing
import WireKit

/// ``DTLSEndpoint/seal(applicationData:into:)`` and ``DTLSEndpoint/seal(applicationDataOfLength:into:writing:)``,
/// the drivers' bulk send path: records sealed into a caller's buffer (from a plaintext elsewhere
/// or one the caller writes into the record body), interleaved with records queued by `send`, are opened in order by
/// the peer (native or OpenSSL's record layer), with consecutive sequence numbers and the
/// header and length `send` gives them.
@Suite struct DirectSealingTests {
    @Test(arguments: NativeRecordLayerTests.suites, [false, true])
    func sealedRecordsInterleaveWithQueuedOnes(suite: String, serverNative: Bool) throws {
        let pair = try NativeRecordLayerTests.pair(suite: suite, clientNative: true, serverNative: serverNative)
        #expect(pair.handshake(), "\(suite): \(pair.client.failureDetail ?? "") \(pair.server.failureDetail ?? "")")
        // Whatever the handshake left queued goes first (the bulk path is refused meanwhile).
        Self.settle(pair)
        let messages = NativeRecordLayerTests.messages(count: 40, seed: 9, maximum: pair.client.maximumApplicationDataSize)
        var records: [[UInt8]] = []
        for (i, m) in messages.enumerated() {
            if i % 3 == 1 {
                try pair.client.send(m)
                while let d = pair.client.pollTransmit() { records.append(d) }
            } else {
                let length = try #require(pair.client.sealedLength(ofApplicationData: m.count))
                var out = [UInt8](repeating: 0, count: length + 7)
                let written: Int
                if i % 3 == 2 {
                    // The plaintext written into the record body by the caller, then sealed there.
                    written = try out.withUnsafeMutableBytes { raw in
                        try pair.client.seal(applicationDataOfLength: m.count, into: raw) { body in
                            #expect(body.count == m.count)
                            m.withUnsafeBytes { body.copyMemory(from: $0) }
                        }
                    }
                } else {
                    written = try m.withUnsafeBytes { bytes in
                        try out.withUnsafeMutableBytes { try pair.client.seal(applicationData: bytes, into: $0) }
                    }
                }
                #expect(written == length)
                records.append(Array(out[0..<written]))
            }
        }
        #expect(records.count == messages.count)
        let sequences = records.map { r in r[5..<11].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        for (i, r) in records.enumerated() {
            #expect(r[0] == 23 && r[1] == 0xFE && r[2] == 0xFD && r[3] == 0 && r[4] == 1, "\(suite) record \(i)")
            #expect(Int(r[11]) << 8 | Int(r[12]) == r.count - 13, "\(suite) record \(i)")
            if i > 0 { #expect(sequences[i] == sequences[i - 1] + 1, "\(suite) record \(i)") }
        }
        for r in records { pair.server.handle(datagram: r, now: pair.now) }
        pair.collectEvents()
        #expect(pair.serverData == messages, "\(suite), server native \(serverNative)")
        #expect(pair.server.recordsFailingAuthentication == 0)
    }

    @Test func aShortBufferIsRefusedWithoutUsingASequenceNumber() throws {
        let pair = try NativeRecordLayerTests.pair(suite: NativeRecordLayerTests.suites[0], clientNative: true, serverNative: true)
        #expect(pair.handshake())
        Self.settle(pair)
        let m = [UInt8](repeating: 7, count: 100)
        let length = try #require(pair.client.sealedLength(ofApplicationData: m.count))
        var short = [UInt8](repeating: 0, count: length - 1)
        #expect(throws: DTLSError.self) {
            _ = try m.withUnsafeBytes { b in try short.withUnsafeMutableBytes { try pair.client.seal(applicationData: b, into: $0) } }
        }
        #expect(pair.client.state == .connected)
        try pair.client.send(m)
        pair.run { pair.serverData.count == 1 }
        #expect(pair.serverData == [m])
    }

    /// Delivers what the handshake left queued on either side (a flight OpenSSL retransmitted
    /// while the machine was busy), so the bulk path is open.
    static func settle(_ pair: DTLSPair) {
        for _ in 0..<4 {
            while let d = pair.client.pollTransmit() { pair.server.handle(datagram: d, now: pair.now) }
            while let d = pair.server.pollTransmit() { pair.client.handle(datagram: d, now: pair.now) }
        }
        pair.collectEvents()
    }

    @Test func notAvailableOnOpenSSLsRecordLayer() throws {
        let pair = try NativeRecordLayerTests.pair(suite: NativeRecordLayerTests.suites[0], clientNative: false, serverNative: true)
        #expect(pair.handshake())
        Self.settle(pair)
        #expect(pair.client.sealedLength(ofApplicationData: 100) == nil)
        #expect(pair.server.sealedLength(ofApplicationData: 100) == 100 + 13 + 8 + 16)
    }
}

/// ``DTLSEndpoint/handle(applicationData:now:deliver:)``, the receive path that opens records
/// in a scratch buffer and hands the plaintext on at once: the same plaintexts, in order, as
/// the event path; forged records and replays dropped and counted.
@Suite struct ScratchOpeningTests {
    @Test(arguments: NativeRecordLayerTests.suites)
    func deliversWhatTheEventPathWould(suite: String) throws {
        let pair = try NativeRecordLayerTests.pair(suite: suite, clientNative: true, serverNative: true)
        #expect(pair.handshake())
        DirectSealingTests.settle(pair)
        let messages = NativeRecordLayerTests.messages(count: 30, seed: 11, maximum: pair.client.maximumApplicationDataSize)
        var datagrams: [[UInt8]] = []
        for m in messages {
            try pair.client.send(m)
            while let d = pair.client.pollTransmit() { datagrams.append(d) }
        }
        var delivered: [[UInt8]] = []
        var forged = datagrams[3]
        forged[forged.count - 1] ^= 0x01
        for d in [forged] + datagrams + [datagrams[5]] {
            let taken = d.withUnsafeBytes { raw in
                pair.server.handle(applicationData: raw, now: pair.now) { delivered.append(Array($0)) }
            }
            #expect(taken)
        }
        pair.collectEvents()
        // ChaCha20-Poly1305 has no scratch opening: its records come out as events instead.
        #expect(delivered + pair.serverData == messages, "\(suite)")
        #expect(delivered.isEmpty == (suite == NativeRecordLayerTests.suites[2]), "\(suite)")
        #expect(pair.server.recordsFailingAuthentication == 1 && pair.server.recordsReplayed == 1, "\(suite)")
    }
}
