import DTLS
import Testing
import WireKit

/// ``DTLSEndpoint/seal(applicationData:into:)``, the drivers' bulk send path: records sealed
/// into a caller's buffer, interleaved with records queued by `send`, are opened in order by
/// the peer (native or OpenSSL's record layer), with consecutive sequence numbers and the
/// header and length `send` gives them.
@Suite struct DirectSealingTests {
    @Test(arguments: NativeRecordLayerTests.suites, [false, true])
    func sealedRecordsInterleaveWithQueuedOnes(suite: String, serverNative: Bool) throws {
        let pair = try NativeRecordLayerTests.pair(suite: suite, clientNative: true, serverNative: serverNative)
        #expect(pair.handshake(), "\(suite): \(pair.client.failureDetail ?? "") \(pair.server.failureDetail ?? "")")
        // Whatever the handshake left queued goes first (the bulk path is refused meanwhile).
        while let d = pair.client.pollTransmit() { pair.server.handle(datagram: d, now: pair.now) }
        let messages = NativeRecordLayerTests.messages(count: 40, seed: 9, maximum: pair.client.maximumApplicationDataSize)
        var records: [[UInt8]] = []
        for (i, m) in messages.enumerated() {
            if i % 3 == 1 {
                try pair.client.send(m)
                while let d = pair.client.pollTransmit() { records.append(d) }
            } else {
                let length = try #require(pair.client.sealedLength(ofApplicationData: m.count))
                var out = [UInt8](repeating: 0, count: length + 7)
                let written = try m.withUnsafeBytes { bytes in
                    try out.withUnsafeMutableBytes { try pair.client.seal(applicationData: bytes, into: $0) }
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

    @Test func notAvailableOnOpenSSLsRecordLayer() throws {
        let pair = try NativeRecordLayerTests.pair(suite: NativeRecordLayerTests.suites[0], clientNative: false, serverNative: true)
        #expect(pair.handshake())
        #expect(pair.client.sealedLength(ofApplicationData: 100) == nil)
        #expect(pair.server.sealedLength(ofApplicationData: 100) == 100 + 13 + 8 + 16)
    }
}
