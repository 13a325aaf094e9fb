import DTLS
import Testing

/// Inputs found by contrib/fuzz/fuzz.sh --run dtls, kept as named regression tests.
@Suite struct FuzzRegressionTests {
    /// crash-f8a181cb: datagrams split from the fuzz input at 0xFF 0xFF.
    static let crashF8A181: [[UInt8]] = [
        [0x50, 0x35, 0x36, 0x44, 0x4E, 0x50, 0x15, 0x35, 0x36],
        [],
        [],
        [0x10, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5A, 0x4A, 0x4E, 0x51, 0x47, 0x44, 0xFE, 0xFD,
         0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x13, 0x01, 0x01, 0x01, 0x01, 0x01, 0x55,
         0x32, 0xD2, 0x52] + [UInt8](repeating: 0x01, count: 14),
    ]

    @Test(arguments: 0..<4)
    func crashF8A181DatagramsLeaveTheAssociationWorking(index: Int) throws {
        let pair = try DTLSPair()
        #expect(pair.handshake())
        let datagram = Self.crashF8A181[index]
        pair.server.handle(datagram: datagram, now: pair.now)
        pair.client.handle(datagram: datagram, now: pair.now)
        try pair.client.send([1, 2, 3])
        pair.run { pair.serverData.count == 1 || pair.server.state != .connected }
        #expect(pair.server.state == .connected, "datagram \(index): \(pair.server.failureDetail ?? "")")
        #expect(pair.client.state == .connected, "datagram \(index): \(pair.client.failureDetail ?? "")")
        #expect(pair.serverData == [[1, 2, 3]])
    }
}
