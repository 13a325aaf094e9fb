import SCTP
import Testing
import WireKit

/// RFC 9653 zero checksum: announced with Zero Checksum Acceptable in INIT and INIT ACK; used
/// for DATA/SACK packets only once both sides announced the same method and the association is
/// established; accepted only by an endpoint that announced it.
@Suite struct ZeroChecksumTests {
    static func configuration(zeroChecksum: Bool) -> SCTPConfiguration {
        var c = SCTPConfiguration()
        c.zeroChecksumMethod = zeroChecksum ? InitChunk.zeroChecksumOverDTLS : nil
        return c
    }

    static func checksumField(_ packet: [UInt8]) -> UInt32 {
        UInt32(packet[8]) | UInt32(packet[9]) << 8 | UInt32(packet[10]) << 16 | UInt32(packet[11]) << 24
    }

    /// Moves every packet both ways until neither side has one; returns what `a` sent and what `b` sent.
    static func exchange(_ a: inout SCTPAssociation, _ b: inout SCTPAssociation) -> ([[UInt8]], [[UInt8]]) {
        var fromA: [[UInt8]] = [], fromB: [[UInt8]] = []
        for _ in 0..<50 {
            var moved = false
            while let p = a.pollTransmit() { fromA.append(p); b.handle(packet: p, now: .zero); moved = true }
            while let p = b.pollTransmit() { fromB.append(p); a.handle(packet: p, now: .zero); moved = true }
            if !moved { break }
        }
        return (fromA, fromB)
    }

    /// The packet holds INIT, INIT ACK or COOKIE ECHO.
    static func isHandshake(_ packet: [UInt8]) -> Bool {
        var chunks: [SCTPChunk] = []
        guard (try? SCTPPacket.parse(packet, chunks: &chunks, acceptingZeroChecksum: true)) != nil else { return false }
        return chunks.contains { chunk in
            switch chunk {
            case .initiation, .initiationAck, .cookieEcho: return true
            default: return false
            }
        }
    }

    static func messages(_ x: inout SCTPAssociation) -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let e = x.pollEvent() { if case .message(let m) = e { out.append(m.payload) } }
        return out
    }

    /// Both announce: INIT and the handshake keep CRC-32C; data and SACKs go out with zero,
    /// both ways, whichever side opened (the listener learns it from its cookie).
    @Test(arguments: [false, true])
    func bothAnnounceThenZeroAfterHandshake(bIsClient: Bool) throws {
        var a = SCTPAssociation(configuration: Self.configuration(zeroChecksum: true))
        var b = SCTPAssociation(configuration: Self.configuration(zeroChecksum: true))
        if bIsClient { try b.connect(now: .zero) } else { try a.connect(now: .zero) }
        let (setupA, setupB) = Self.exchange(&a, &b)
        #expect(a.isEstablished && b.isEstablished)
        // INIT, INIT ACK and COOKIE ECHO carry CRC-32C (the sender is not established yet);
        // the COOKIE ACK may already go out with zero.
        let initiations = (setupA + setupB).filter(Self.isHandshake)
        #expect(initiations.count == 3)
        for p in initiations { #expect(Self.checksumField(p) == SCTPPacket.checksum(p), "handshake packets carry CRC-32C") }
        _ = Self.messages(&a)
        _ = Self.messages(&b)

        let big = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try a.send(stream: 1, ppid: 53, message: big, now: .zero)
        try b.send(stream: 1, ppid: 53, message: [1, 2, 3], now: .zero)
        let (dataA, dataB) = Self.exchange(&a, &b)
        #expect(!dataA.isEmpty && !dataB.isEmpty)
        #expect(dataA.allSatisfy { Self.checksumField($0) == 0 })
        #expect(dataB.allSatisfy { Self.checksumField($0) == 0 })
        #expect(Self.messages(&b) == [big])
        #expect(Self.messages(&a) == [[1, 2, 3]])
        #expect(a.statistics.badChecksum == 0 && b.statistics.badChecksum == 0)
    }

    /// Only one side announces: everything keeps CRC-32C (the announcing side still accepts
    /// correct checksums), and the transfer works.
    @Test(arguments: [false, true])
    func oneSideOnlyKeepsCRC(announcerIsClient: Bool) throws {
        var a = SCTPAssociation(configuration: Self.configuration(zeroChecksum: announcerIsClient))
        var b = SCTPAssociation(configuration: Self.configuration(zeroChecksum: !announcerIsClient))
        try a.connect(now: .zero)
        _ = Self.exchange(&a, &b)
        #expect(a.isEstablished && b.isEstablished)
        _ = Self.messages(&a)
        _ = Self.messages(&b)
        try a.send(stream: 0, ppid: 53, message: Array(repeating: 9, count: 3000), now: .zero)
        let (dataA, dataB) = Self.exchange(&a, &b)
        for p in dataA + dataB { #expect(Self.checksumField(p) == SCTPPacket.checksum(p)) }
        #expect(Self.messages(&b) == [Array(repeating: 9, count: 3000)])
    }

    /// A zero checksum reaches an endpoint that did not announce it: dropped and counted.
    /// One that announced it takes the same packet.
    @Test func zeroChecksumNeedsTheAnnouncement() throws {
        var a = SCTPAssociation(configuration: Self.configuration(zeroChecksum: false))
        var b = SCTPAssociation(configuration: Self.configuration(zeroChecksum: false))
        try a.connect(now: .zero)
        _ = Self.exchange(&a, &b)
        _ = Self.messages(&b)
        try a.send(stream: 0, ppid: 53, message: [7, 7], now: .zero)
        let sent = a.pollTransmit()
        var packet = try #require(sent)
        for i in 8..<12 { packet[i] = 0 }
        b.handle(packet: packet, now: .zero)
        #expect(b.statistics.badChecksum == 1)
        #expect(Self.messages(&b).isEmpty)

        var c = SCTPAssociation(configuration: Self.configuration(zeroChecksum: true))
        var d = SCTPAssociation(configuration: Self.configuration(zeroChecksum: false))
        try d.connect(now: .zero)
        _ = Self.exchange(&d, &c)
        _ = Self.messages(&c)
        try d.send(stream: 0, ppid: 53, message: [8], now: .zero)
        let sentByD = d.pollTransmit()
        var zeroed = try #require(sentByD)
        for i in 8..<12 { zeroed[i] = 0 }
        c.handle(packet: zeroed, now: .zero)
        #expect(c.statistics.badChecksum == 0)
        #expect(Self.messages(&c) == [[8]])
    }

    /// The parameter round-trips through INIT serialization (type 0x8001, length 8).
    @Test func parameterRoundTrip() throws {
        var chunk = InitChunk(initiateTag: 5, advertisedReceiverWindow: 1000, outboundStreams: 2, inboundStreams: 2, initialTSN: 9)
        chunk.zeroChecksumMethod = InitChunk.zeroChecksumOverDTLS
        let packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 0, chunks: [.initiation(chunk)])
        let bytes = packet.serialize()
        #expect(bytes.windowsOf(count: 8).contains([0x80, 0x01, 0, 8, 0, 0, 0, 1]))
        let parsed = try SCTPPacket.parse(bytes)
        #expect(parsed.chunks == [.initiation(chunk)])
    }
}

extension Array where Element == UInt8 {
    /// Every run of `count` consecutive bytes.
    fileprivate func windowsOf(count: Int) -> [[UInt8]] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { Array(self[$0..<($0 + count)]) }
    }
}
