import DTLS
import Testing
import WireKit

@Suite struct DTLSEndpointTests {
    @Test func handshakeExchangeExportAndClose() throws {
        let pair = try DTLSPair()
        #expect(pair.client.state == .new)
        #expect(pair.handshake(), "client \(pair.client.state) \(pair.client.failureDetail ?? ""), server \(pair.server.state) \(pair.server.failureDetail ?? "")")
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
        #expect(pair.clientEvents == [.stateChanged(.connecting), .stateChanged(.connected)])
        #expect(pair.serverEvents == [.stateChanged(.connecting), .stateChanged(.connected)])
        #expect(pair.client.cipherSuite == "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(pair.client.remoteCertificateDER == pair.serverIdentity.certificateDER)
        #expect(pair.server.remoteCertificateDER == pair.clientIdentity.certificateDER)
        #expect(pair.client.pollTimeout() == nil)

        let clientKeys = try #require(pair.client.srtpKeyingMaterial)
        let serverKeys = try #require(pair.server.srtpKeyingMaterial)
        #expect(clientKeys == serverKeys)
        #expect(clientKeys.profile == .aeadAES128GCM)
        #expect(clientKeys.clientWriteKey.count == 16 && clientKeys.clientWriteSalt.count == 12)
        #expect(clientKeys.clientWriteKey != clientKeys.serverWriteKey)
        #expect(clientKeys.local(role: .client) == serverKeys.remote(role: .server))

        let toServer: [[UInt8]] = [[1], Array(repeating: 0xAB, count: 1100), Array(0..<200).map { UInt8($0) }]
        let toClient: [[UInt8]] = [Array("pong".utf8), Array(repeating: 7, count: pair.server.maximumApplicationDataSize)]
        for m in toServer { try pair.client.send(m) }
        for m in toClient { try pair.server.send(m) }
        pair.run { pair.serverData.count == toServer.count && pair.clientData.count == toClient.count }
        #expect(pair.serverData == toServer)
        #expect(pair.clientData == toClient)

        pair.client.close()
        #expect(pair.client.state == .closed)
        pair.run { pair.server.state == .closed }
        #expect(pair.server.state == .closed)
        #expect(pair.serverEvents.last == .stateChanged(.closed))
        #expect(throws: DTLSError.notConnected) { try pair.client.send([1]) }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func handshakeSurvivesLoss(seed: UInt64) throws {
        let pair = try DTLSPair(seed: seed, lossRate: 0.15)
        let ok = pair.handshake(limit: .seconds(8))
        #expect(ok && pair.client.state == .connected && pair.server.state == .connected,
                "seed \(seed): client \(pair.client.state) \(pair.client.failureDetail ?? ""), server \(pair.server.state), dropped \(pair.dropped)")
        #expect(pair.client.srtpKeyingMaterial == pair.server.srtpKeyingMaterial)
        pair.lossRate = 0
        try pair.client.send(Array("after loss".utf8))
        try pair.server.send(Array("ack".utf8))
        pair.run { pair.serverData.count == 1 && pair.clientData.count == 1 }
        #expect(pair.serverData == [Array("after loss".utf8)], "seed \(seed)")
        #expect(pair.clientData == [Array("ack".utf8)], "seed \(seed)")
    }

    @Test func smallMTUFragmentsHandshake() throws {
        let pair = try DTLSPair { c, s in c.mtu = 300; s.mtu = 300 }
        #expect(pair.handshake())
        #expect(pair.client.state == .connected && pair.server.state == .connected)
        #expect(pair.sentSizes.allSatisfy { $0 <= 300 }, "sizes \(pair.sentSizes)")
        #expect(pair.client.maximumApplicationDataSize < 300)
    }

    @Test func defaultMTUBoundsDatagrams() throws {
        let pair = try DTLSPair()
        #expect(pair.handshake())
        #expect(pair.sentSizes.allSatisfy { $0 <= 1200 })
        // Coalescing: the server's flight (ServerHello … ServerHelloDone) leaves in few datagrams.
        #expect(pair.sentSizes.count <= 6, "sizes \(pair.sentSizes)")
    }

    @Test func wrongFingerprintAtClient() throws {
        let other = try DeviceIdentity.generate()
        let pair = try DTLSPair { c, _ in c.remoteFingerprints = [other.fingerprint] }
        pair.handshake()
        #expect(pair.client.state == .failed)
        #expect(pair.client.error == .fingerprintFailure)
        #expect(pair.clientEvents.contains(.error(.fingerprintFailure)))
        pair.run { pair.server.state == .failed }
        #expect(pair.server.state == .failed)
        #expect(pair.server.error == .dtlsFailure(alert: DTLSAlert(code: 42, direction: .received)))
    }

    @Test func wrongFingerprintAtServer() throws {
        let other = try DeviceIdentity.generate()
        let pair = try DTLSPair { _, s in s.remoteFingerprints = [other.fingerprint] }
        pair.handshake()
        #expect(pair.server.error == .fingerprintFailure)
        pair.run { pair.client.state == .failed }
        #expect(pair.client.error == .dtlsFailure(alert: DTLSAlert(code: 42, direction: .received)))
        #expect(pair.client.srtpKeyingMaterial == nil)
    }

    @Test func fingerprintsKnownOnlyAfterHandshake() throws {
        let pair = try DTLSPair { _, s in s.remoteFingerprints = [] }
        pair.client.start(now: pair.now)
        pair.run { pair.client.state == .connected }
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connecting)
        try pair.client.send(Array("early".utf8))
        pair.run { false }
        #expect(pair.serverData.isEmpty)
        pair.server.setRemoteFingerprints([pair.clientIdentity.fingerprint])
        pair.run { pair.serverData.count == 1 }
        #expect(pair.server.state == .connected)
        #expect(pair.serverData == [Array("early".utf8)])
    }

    @Test func lateWrongFingerprintFails() throws {
        let other = try DeviceIdentity.generate()
        let pair = try DTLSPair { _, s in s.remoteFingerprints = [] }
        pair.handshake(limit: .milliseconds(500))
        #expect(pair.server.state == .connecting)
        pair.server.setRemoteFingerprints([other.fingerprint])
        #expect(pair.server.state == .failed)
        #expect(pair.server.error == .fingerprintFailure)
    }

    /// Every content type at every epoch with lengths around the AEAD overhead, after the
    /// handshake: none may trap or wedge the connection (OpenSSL 3.0 alone would wedge on
    /// short records; `DTLSRecordFilter` drops them).
    @Test func shortForgedRecordsDoNotWedge() throws {
        let pair = try DTLSPair()
        #expect(pair.handshake())
        var rng = SeededRandom(seed: 7)
        var expected: [[UInt8]] = []
        for type in [UInt8(20), 21, 22, 23, 24] {
            for epoch in [UInt8(0), 1, 2] {
                for length in [0, 1, 2, 8, 15, 16, 17, 23, 24, 25, 40] {
                    let forged: [UInt8] = [type, 0xFE, 0xFD, 0, epoch] + rng.bytes(6) + [0, UInt8(length)] + rng.bytes(length)
                    pair.client.handle(datagram: forged, now: pair.now)
                    let marker = [type, epoch, UInt8(length)]
                    expected.append(marker)
                    try pair.server.send(marker)
                }
            }
        }
        pair.run { pair.clientData.count == expected.count || pair.client.state != .connected }
        #expect(pair.client.state == .connected, "seed 7: \(pair.client.failureDetail ?? "")")
        #expect(pair.clientData == expected)
    }

    @Test func garbageIsDroppedWithoutTrap() throws {
        let pair = try DTLSPair()
        var rng = SeededRandom(seed: 99)
        // Garbage before and during the handshake.
        pair.server.handle(datagram: rng.bytes(40), now: pair.now)
        #expect(pair.handshake(), "seed 99: \(pair.server.failureDetail ?? "")")
        // Garbage shaped like DTLS records (every content type, random lengths) and random bytes.
        let forgedCCS: [UInt8] = [20, 0xFE, 0xFD, 0, 1, 76, 7, 231, 44, 249, 184, 0, 17] + Array(repeating: 0x5A, count: 17)
        pair.client.handle(datagram: forgedCCS, now: pair.now)
        pair.server.handle(datagram: forgedCCS, now: pair.now)
        for i in 0..<2000 {
            var datagram: [UInt8]
            if i % 3 == 0 {
                datagram = rng.bytes(Int(rng.next() % 1500))
            } else {
                let type = [UInt8(20), 21, 22, 23, 24][i % 5]
                let body = rng.bytes(Int(rng.next() % 200))
                datagram = [type, 0xFE, 0xFD, 0, 1] + rng.bytes(6)
                    + [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
            }
            pair.client.handle(datagram: datagram, now: pair.now)
            pair.server.handle(datagram: datagram, now: pair.now)
        }
        pair.server.handle(datagram: [], now: pair.now)
        #expect(pair.client.state == .connected, "seed 99: \(pair.client.failureDetail ?? "")")
        #expect(pair.server.state == .connected, "seed 99: \(pair.server.failureDetail ?? "")")
        try pair.client.send([42])
        try pair.server.send([43])
        pair.run { pair.serverData.count == 1 && pair.clientData.count == 1 }
        #expect(pair.serverData == [[42]])
        #expect(pair.clientData == [[43]])
    }

    @Test func srtpProfileNegotiation() throws {
        let onlyCM = try DTLSPair { c, _ in c.srtpProfiles = [.aes128CMSHA1_80] }
        #expect(onlyCM.handshake())
        let keys = try #require(onlyCM.client.srtpKeyingMaterial)
        #expect(keys.profile == .aes128CMSHA1_80)
        #expect(keys.serverWriteSalt.count == 14)
        #expect(onlyCM.server.srtpKeyingMaterial == keys)

        let none = try DTLSPair { c, _ in c.srtpProfiles = [] }
        #expect(none.handshake())
        #expect(none.client.srtpKeyingMaterial == nil)
        #expect(none.server.srtpKeyingMaterial == nil)
    }

    @Test func apiMisuseIsTyped() throws {
        let pair = try DTLSPair()
        #expect(throws: DTLSError.notConnected) { try pair.client.send([1]) }
        #expect(pair.handshake())
        #expect(throws: DTLSError.recordTooLarge(16_385)) { try pair.client.send(Array(repeating: 0, count: 16_385)) }
        var bad = DTLSConfiguration(role: .client, identity: pair.clientIdentity, remoteFingerprints: [])
        bad.mtu = 100
        #expect(throws: DTLSError.self) { try DTLSEndpoint(configuration: bad) }
        bad.mtu = 1200
        bad.cipherList = "NO-SUCH-CIPHER"
        #expect(throws: DTLSError.self) { try DTLSEndpoint(configuration: bad) }
    }

    @Test func closeBeforeConnectAndIgnoreAfter() throws {
        let pair = try DTLSPair()
        pair.client.start(now: pair.now)
        pair.client.close()
        #expect(pair.client.state == .closed)
        pair.client.handle(datagram: [22, 0xFE, 0xFD], now: pair.now)
        pair.client.handle(timeout: pair.now)
        #expect(pair.client.state == .closed)
        #expect(pair.client.pollTimeout() == nil)
    }
}

@Suite struct DTLSRoleTests {
    @Test func rolesFromSetup() {
        #expect(DTLSRole(localSetup: .active, remoteSetup: .actpass) == .client)
        #expect(DTLSRole(localSetup: .passive, remoteSetup: .actpass) == .server)
        #expect(DTLSRole(localSetup: .actpass, remoteSetup: .active) == .server)
        #expect(DTLSRole(localSetup: .actpass, remoteSetup: .passive) == .client)
        #expect(DTLSRole(localSetup: .active, remoteSetup: .passive) == .client)
        #expect(DTLSRole(localSetup: .actpass, remoteSetup: .actpass) == nil)
        #expect(DTLSRole(localSetup: .active, remoteSetup: .active) == nil)
        #expect(DTLSRole(localSetup: .holdconn, remoteSetup: .active) == nil)
        #expect(DTLSSetup.actpass.answer == .active)
        #expect(DTLSSetup.active.answer == .passive)
        #expect(DTLSSetup.passive.answer == .active)
        for offer in [DTLSSetup.actpass, .active, .passive] {
            let answer = offer.answer!
            #expect(DTLSRole(localSetup: offer, remoteSetup: answer) != DTLSRole(localSetup: answer, remoteSetup: offer))
        }
    }
}
