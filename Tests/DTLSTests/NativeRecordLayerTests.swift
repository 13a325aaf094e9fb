import DTLS
import Testing
import WireKit

/// The native record layer (`DTLSConfiguration.nativeRecordLayer`) against OpenSSL's own:
/// records sealed by one are opened by the other in both directions, for each AEAD suite;
/// OpenSSL's later records (close_notify) are re-sequenced; replays and forged tags dropped.
@Suite struct NativeRecordLayerTests {
    static let suites = ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"]

    /// (client native, server native): each side alone, then both.
    static let layouts: [(Bool, Bool)] = [(true, false), (false, true), (true, true)]

    static func pair(suite: String, clientNative: Bool, serverNative: Bool) throws -> DTLSPair {
        try DTLSPair { c, s in
            c.cipherList = suite
            s.cipherList = suite
            c.nativeRecordLayer = clientNative
            s.nativeRecordLayer = serverNative
        }
    }

    /// Messages of every size from 0 (skipped by `send`) to the largest record, seeded.
    static func messages(count: Int, seed: UInt64, maximum: Int) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            let size = i == 0 ? maximum : 1 + Int(rng.next() % UInt64(maximum))
            return rng.bytes(size)
        }
    }

    @Test(arguments: suites, [0, 1, 2])
    func interoperatesWithOpenSSLRecordLayer(suite: String, layout: Int) throws {
        let (clientNative, serverNative) = Self.layouts[layout]
        let pair = try Self.pair(suite: suite, clientNative: clientNative, serverNative: serverNative)
        #expect(pair.handshake(), "\(suite): client \(pair.client.failureDetail ?? ""), server \(pair.server.failureDetail ?? "")")
        #expect(pair.client.cipherSuite == suite)
        #expect(pair.client.usesNativeRecordLayer == clientNative)
        #expect(pair.server.usesNativeRecordLayer == serverNative)

        let toServer = Self.messages(count: 120, seed: 5, maximum: pair.client.maximumApplicationDataSize)
        let toClient = Self.messages(count: 90, seed: 6, maximum: pair.server.maximumApplicationDataSize)
        for m in toServer { try pair.client.send(m) }
        for m in toClient { try pair.server.send(m) }
        pair.run { pair.serverData.count == toServer.count && pair.clientData.count == toClient.count }
        #expect(pair.serverData == toServer, "\(suite) layout \(layout), seeds 5/6")
        #expect(pair.clientData == toClient, "\(suite) layout \(layout), seeds 5/6")
        #expect(pair.client.recordsFailingAuthentication == 0 && pair.server.recordsFailingAuthentication == 0)

        // close_notify comes from OpenSSL on either side; on a native side it is re-sealed
        // after the records sent above, so the peer does not take it for a replay.
        let (closer, other) = layout == 1 ? (pair.server, pair.client) : (pair.client, pair.server)
        closer.close()
        pair.run { other.state == .closed }
        #expect(other.state == .closed, "\(suite) layout \(layout)")
    }

    /// The same datagram twice, and one older than the 64-record window: one delivery each
    /// at most, the rest counted as replays; the connection carries on.
    @Test func replayedRecordsAreDropped() throws {
        let pair = try Self.pair(suite: Self.suites[0], clientNative: false, serverNative: true)
        #expect(pair.handshake())
        // A handshake flight retransmitted while the machine was busy goes first.
        while let d = pair.client.pollTransmit() { pair.server.handle(datagram: d, now: pair.now) }
        pair.collectEvents()
        var sent: [[UInt8]] = []
        for i in 0..<70 {
            try pair.client.send([UInt8(i)])
            while let d = pair.client.pollTransmit() { sent.append(d) }
        }
        #expect(sent.count == 70)
        for d in sent[1...] { pair.server.handle(datagram: d, now: pair.now) }
        pair.server.handle(datagram: sent[5], now: pair.now)   // replay inside the window
        pair.server.handle(datagram: sent[69], now: pair.now)  // replay of the highest
        pair.server.handle(datagram: sent[0], now: pair.now)   // never seen, but 69 behind
        pair.collectEvents()
        #expect(pair.serverData == (1..<70).map { [UInt8($0)] })
        #expect(pair.server.recordsReplayed == 3)
        #expect(pair.server.state == .connected)

        // Reordered (but fresh) records inside the window are accepted.
        var late: [[UInt8]] = []
        for i in 70..<75 {
            try pair.client.send([UInt8(i)])
            while let d = pair.client.pollTransmit() { late.append(d) }
        }
        for d in late.reversed() { pair.server.handle(datagram: d, now: pair.now) }
        pair.collectEvents()
        #expect(pair.serverData.suffix(5) == (70..<75).reversed().map { [UInt8($0)] })
        #expect(pair.server.recordsReplayed == 3)
    }

    /// A flipped bit in the tag, the ciphertext, the explicit nonce or the header (sequence
    /// number, covered by the additional data) fails authentication; the record is dropped
    /// without moving the replay window, and the genuine one is still accepted after it.
    @Test func forgedRecordsFailAuthentication() throws {
        let pair = try Self.pair(suite: Self.suites[0], clientNative: false, serverNative: true)
        #expect(pair.handshake())
        // A handshake flight retransmitted while the machine was busy goes first.
        while let d = pair.client.pollTransmit() { pair.server.handle(datagram: d, now: pair.now) }
        pair.collectEvents()
        try pair.client.send(Array(repeating: 0x42, count: 100))
        let genuine = try #require(pair.client.pollTransmit())
        #expect(genuine.count == 13 + 8 + 100 + 16)
        let positions = [genuine.count - 1, 13 + 8 + 50, 13 + 3, 10]  // tag, ciphertext, explicit nonce, sequence
        for position in positions {
            var forged = genuine
            forged[position] ^= 0x01
            pair.server.handle(datagram: forged, now: pair.now)
        }
        pair.collectEvents()
        #expect(pair.serverData.isEmpty)
        #expect(pair.server.recordsFailingAuthentication == positions.count)
        #expect(pair.server.recordsReplayed == 0)
        pair.server.handle(datagram: genuine, now: pair.now)
        pair.collectEvents()
        #expect(pair.serverData == [Array(repeating: 0x42, count: 100)])
        #expect(pair.server.state == .connected)
    }

    /// The native layer's records are the same shape OpenSSL's are: header, 8-byte explicit
    /// nonce (AES-GCM) and 16-byte tag, epoch 1, sequence numbers continuing after Finished.
    @Test func sealedRecordShape() throws {
        let pair = try Self.pair(suite: Self.suites[0], clientNative: true, serverNative: true)
        #expect(pair.handshake())
        try pair.client.send([1, 2, 3])
        try pair.client.send([4])
        let first = try #require(pair.client.pollTransmit())
        let second = try #require(pair.client.pollTransmit())
        #expect(first.count == 13 + 8 + 3 + 16)
        #expect(Array(first[0..<5]) == [23, 0xFE, 0xFD, 0, 1])
        let sequence = first[5..<11].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let next = second[5..<11].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(sequence >= 1)  // Finished took at least sequence 0
        #expect(next == sequence + 1)
        #expect(Array(first[13..<21]) == Array(first[3..<11]))  // explicit nonce = epoch ‖ sequence
    }

    /// `handle(applicationData:now:)` (the driver's copy-free receive path) takes datagrams of
    /// epoch 1 application data only, and only once the native layer runs: the same deliveries,
    /// replay and forgery counts as `handle(datagram:now:)`; anything else is left untouched
    /// (false) for the copying path.
    @Test func borrowedApplicationDataDatagrams() throws {
        let pair = try Self.pair(suite: Self.suites[0], clientNative: true, serverNative: true)
        #expect(pair.handshake())
        let messages = Self.messages(count: 40, seed: 7, maximum: pair.client.maximumApplicationDataSize)
        var datagrams: [[UInt8]] = []
        for m in messages {
            try pair.client.send(m)
            // A handshake flight OpenSSL retransmits on its real-time timer (a slow machine)
            // goes the usual way.
            while let d = pair.client.pollTransmit() {
                if d.first == 23 { datagrams.append(d) } else { pair.server.handle(datagram: d, now: pair.now) }
            }
        }
        for d in datagrams {
            #expect(d.withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) })
        }
        pair.collectEvents()
        #expect(pair.serverData == messages, "seed 7")

        // Replayed, forged: taken, dropped and counted.
        #expect(datagrams[3].withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) })
        try pair.client.send([9])
        var fresh = try #require(pair.client.pollTransmit())
        fresh[fresh.count - 1] ^= 1
        #expect(fresh.withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) })
        pair.collectEvents()
        #expect(pair.serverData.count == messages.count)
        #expect(pair.server.recordsReplayed == 1)
        #expect(pair.server.recordsFailingAuthentication == 1)

        // Not application data only: left for handle(datagram:now:).
        let alert: [UInt8] = [21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 99, 0, 26] + Array(repeating: 0, count: 26)
        let trailing = datagrams[1] + [0]
        let epochZero = [23, 0xFE, 0xFD, 0, 0] + Array(datagrams[1][5...])
        for d in [alert, trailing, epochZero, [], Array(datagrams[1].prefix(12))] {
            #expect(!d.withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) }, "\(d.prefix(13))")
        }

        // Two records in one datagram: both opened, in order.
        try pair.client.send([10])
        try pair.client.send([11, 12])
        let two = try #require(pair.client.pollTransmit()) + (try #require(pair.client.pollTransmit()))
        #expect(two.withUnsafeBytes { DTLSEndpoint.isApplicationDataOnly($0) })
        #expect(two.withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) })
        pair.collectEvents()
        #expect(pair.serverData.suffix(2) == [[10], [11, 12]])
    }

    /// Before the native layer runs (OpenSSL's record layer configured) nothing is taken.
    @Test func borrowedPathNeedsTheNativeLayer() throws {
        let pair = try Self.pair(suite: Self.suites[0], clientNative: true, serverNative: false)
        #expect(pair.handshake())
        try pair.client.send([1, 2, 3])
        let d = try #require(pair.client.pollTransmit())
        #expect(!d.withUnsafeBytes { pair.server.handle(applicationData: $0, now: pair.now) })
        pair.server.handle(datagram: d, now: pair.now)
        pair.collectEvents()
        #expect(pair.serverData == [[1, 2, 3]])
    }
}
