import DTLS
import Testing
import WireKit

/// ``DTLSEndpoint/setRecordMTU(_:)``: after the handshake at 1200-byte datagrams, the record
/// limit rises for PLPMTUD and full 16 KiB records pass, through OpenSSL's record layer and
/// the native one; lowered again, the limit follows.
@Suite struct RecordMTUTests {
    @Test(arguments: [false, true])
    func raisedLimitCarriesFullRecords(native: Bool) throws {
        let pair = try DTLSPair { c, s in
            c.nativeRecordLayer = native
            s.nativeRecordLayer = native
        }
        #expect(pair.handshake())
        #expect(pair.sentSizes.allSatisfy { $0 <= 1200 }, "handshake flights fit the configured MTU")
        let base = pair.client.maximumApplicationDataSize
        #expect(base < 1200)
        pair.client.setRecordMTU(16_384 + 64)
        pair.server.setRecordMTU(16_384 + 64)
        #expect(pair.client.maximumApplicationDataSize >= 16_384)
        var rng = SeededRandom(seed: 11)
        let messages = [16_384, 8_912, 1_412, 16_384].map { rng.bytes($0) }
        for m in messages { try pair.client.send(m) }
        for m in messages.reversed() { try pair.server.send(m) }
        pair.run { pair.serverData.count == messages.count && pair.clientData.count == messages.count }
        #expect(pair.serverData == messages)
        #expect(pair.clientData == messages.reversed())
        #expect(pair.client.state == .connected && pair.server.state == .connected)
        pair.client.setRecordMTU(1200)
        #expect(pair.client.maximumApplicationDataSize == base)
    }
}
