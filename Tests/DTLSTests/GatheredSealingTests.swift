@testable import DTLS
import Testing
import WireKit

/// ``DTLSEndpoint/seal(applicationDataOfLength:into:gathering:)``, the send path that encrypts
/// the plaintext from its pieces straight into the record: byte for byte the record the
/// in-place and array paths make under the same key and sequence number, for plaintexts cut
/// into pieces anywhere (empty, one byte, across cipher blocks), and opened by the peer's code,
/// its native record layer and OpenSSL's.
@Suite struct GatheredSealingTests {
    /// `message` cut at `cuts` random places (repeats give empty pieces), or into `step`-byte
    /// pieces when `step` is given.
    static func pieces(of count: Int, rng: inout SeededRandom, cuts: Int, step: Int? = nil) -> [Range<Int>] {
        var bounds: [Int]
        if let step {
            bounds = Array(stride(from: 0, to: count, by: step)) + [count]
        } else {
            bounds = ([0, count] + (0..<cuts).map { _ in Int(rng.next() % UInt64(count + 1)) }).sorted()
        }
        if bounds.first != 0 { bounds.insert(0, at: 0) }
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// Seals `message` with `protection` through the gathering path, handing it `pieces`.
    static func gathered(_ message: [UInt8], pieces: [Range<Int>], with protection: DTLSRecordProtection) -> [UInt8]? {
        var out = [UInt8](repeating: 0xEE, count: message.count + protection.overhead + 5)
        let written = message.withUnsafeBytes { raw in
            out.withUnsafeMutableBytes { o in
                protection.seal(type: 23, length: message.count, into: o) { piece in
                    for r in pieces { piece(UnsafeRawBufferPointer(rebasing: raw[r])) }
                }
            }
        }
        guard let written else { return nil }
        #expect(out[written...].allSatisfy { $0 == 0xEE }, "written past the record")
        return Array(out[..<written])
    }

    /// Seals `message` with `protection` in place (written into the body, then encrypted there).
    static func inPlace(_ message: [UInt8], with protection: DTLSRecordProtection) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: message.count + protection.overhead)
        let written = out.withUnsafeMutableBytes { o in
            protection.seal(type: 23, length: message.count, into: o) { body in message.withUnsafeBytes { body.copyMemory(from: $0) } }
        }
        return written.map { Array(out[..<$0]) }
    }

    @Test(arguments: NativeRecordLayerTests.suites, [false, true])
    func sameBytesAsTheOtherPathsAndOpenedByThePeer(suite: String, serverNative: Bool) throws {
        let pair = try NativeRecordLayerTests.pair(suite: suite, clientNative: true, serverNative: serverNative)
        #expect(pair.handshake(), "\(suite): \(pair.client.failureDetail ?? "") \(pair.server.failureDetail ?? "")")
        DirectSealingTests.settle(pair)
        let native = try #require(pair.client.protection)
        // Two more record layers on the client's keys, from a sequence number well past the
        // client's own: one seals by gathering, the other in place or as an array.
        let start = native.nextWriteSequence + 1_000
        let gathering = try #require(DTLSRecordProtection(ssl: pair.client.ssl, role: .client, nextWriteSequence: start))
        let reference = try #require(DTLSRecordProtection(ssl: pair.client.ssl, role: .client, nextWriteSequence: start))
        var rng = SeededRandom(seed: 31)
        let maximum = pair.client.maximumApplicationDataSize
        var messages = NativeRecordLayerTests.messages(count: 48, seed: 31, maximum: maximum)
        messages += [[0x5A], Array(repeating: 1, count: 15), Array(repeating: 2, count: 16), Array(repeating: 3, count: 17)]
        var records: [[UInt8]] = []
        for (i, m) in messages.enumerated() {
            let pieces = i % 5 == 4 ? Self.pieces(of: m.count, rng: &rng, cuts: 0, step: 1 + i % 23)
                                    : Self.pieces(of: m.count, rng: &rng, cuts: i % 9)
            // Every third record the gathering layer seals in place too, so its record-mode
            // context must catch up with the sequence the gathered records moved on.
            let ours = i % 3 == 2 ? try #require(Self.inPlace(m, with: gathering))
                                  : try #require(Self.gathered(m, pieces: pieces, with: gathering))
            let theirs = i % 2 == 0 ? try #require(Self.inPlace(m, with: reference))
                                    : try #require(m.withUnsafeBytes { reference.seal(type: 23, $0) })
            #expect(ours == theirs, "\(suite) record \(i): \(m.count) bytes in \(pieces.count) pieces")
            if native.explicitNonceLength == 8 {
                #expect(ours[13..<21] == ours[3..<11], "\(suite) record \(i): explicit nonce is not epoch and sequence")
            }
            records.append(ours)
        }
        for r in records { pair.server.handle(datagram: r, now: pair.now) }
        pair.collectEvents()
        #expect(pair.serverData == messages, "\(suite), server native \(serverNative)")
        #expect(pair.server.recordsFailingAuthentication == 0)
    }

    @Test(arguments: NativeRecordLayerTests.suites)
    func endpointInterleavesGatheredRecordsWithTheOthers(suite: String) throws {
        let pair = try NativeRecordLayerTests.pair(suite: suite, clientNative: true, serverNative: true)
        #expect(pair.handshake())
        DirectSealingTests.settle(pair)
        var rng = SeededRandom(seed: 41)
        let messages = NativeRecordLayerTests.messages(count: 40, seed: 41, maximum: pair.client.maximumApplicationDataSize)
        var delivered: [[UInt8]] = []
        for (i, m) in messages.enumerated() {
            var datagrams: [[UInt8]] = []
            if i % 4 == 0 {
                try pair.client.send(m)
                while let d = pair.client.pollTransmit() { datagrams.append(d) }
            } else {
                let length = try #require(pair.client.sealedLength(ofApplicationData: m.count))
                var out = [UInt8](repeating: 0, count: length)
                let pieces = Self.pieces(of: m.count, rng: &rng, cuts: 1 + i % 6)
                let written = try m.withUnsafeBytes { raw in
                    try out.withUnsafeMutableBytes { o in
                        if i % 4 == 1 {
                            return try pair.client.seal(applicationDataOfLength: m.count, into: o) { body in body.copyMemory(from: raw) }
                        }
                        return try pair.client.seal(applicationDataOfLength: m.count, into: o) { piece in
                            for r in pieces { piece(UnsafeRawBufferPointer(rebasing: raw[r])) }
                        }
                    }
                }
                #expect(written == length)
                datagrams.append(out)
            }
            // Opened on the receive path that decrypts into the scratch buffer.
            for d in datagrams {
                let taken = d.withUnsafeBytes { raw in pair.server.handle(applicationData: raw, now: pair.now) { delivered.append(Array($0)) } }
                #expect(taken, "\(suite) record \(i)")
            }
        }
        pair.collectEvents()
        #expect(delivered + pair.serverData == messages, "\(suite)")
        #expect(pair.server.recordsFailingAuthentication == 0)
        #expect(pair.client.state == .connected)
    }
}
