import SCTP
import Testing
import WireKit

/// The COOKIE ECHO action table of RFC 9260 §5.2.4 and unexpected INITs (§5.2.2), packet by
/// packet: each case is built from real packets of the two associations.
@Suite struct CookieTableTests {
    struct Missing: Error { let what: String }

    /// The instant `n` milliseconds after zero.
    static func ms(_ n: Int64) -> Instant { .zero + .milliseconds(n) }

    static func take(_ a: inout SCTPAssociation) throws -> [UInt8] {
        guard let p = a.pollTransmit() else { throw Missing(what: "packet") }
        return p
    }

    static func initAck(_ packet: [UInt8]) throws -> InitChunk {
        guard case .initiationAck(let c)? = try SCTPPacket.parse(packet).chunks.first else { throw Missing(what: "INIT ACK") }
        return c
    }

    /// A COOKIE ECHO packet echoing `ack`'s cookie, as the peer would send it.
    static func echo(of ack: InitChunk) throws -> [UInt8] {
        guard let cookie = ack.stateCookie else { throw Missing(what: "cookie") }
        return SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: ack.initiateTag,
                          chunks: [.cookieEcho(CookieEchoChunk(cookie: cookie))]).serialize()
    }

    static func drain(_ a: inout SCTPAssociation) -> [SCTPEvent] {
        var events = [SCTPEvent]()
        while let e = a.pollEvent() { events.append(e) }
        return events
    }

    static func chunks(_ packet: [UInt8]) throws -> [SCTPChunk] { try SCTPPacket.parse(packet).chunks }

    /// a connects to b; returns a's INIT, b's two INIT ACKs to it (b answered it twice while
    /// closed, so with two different tags) after the handshake completed on the second.
    static func handshakeWithTwoAnswers() throws -> (a: SCTPAssociation, b: SCTPAssociation, initPacket: [UInt8], first: InitChunk, second: InitChunk) {
        var ca = SCTPConfiguration(); ca.randomSeed = 5
        var cb = SCTPConfiguration(); cb.randomSeed = 6
        var a = SCTPAssociation(configuration: ca), b = SCTPAssociation(configuration: cb)
        try a.connect(now: .zero)
        let initPacket = try take(&a)
        b.handle(packet: initPacket, now: .zero)
        let first = try take(&b)
        b.handle(packet: initPacket, now: .zero)  // a retransmitted INIT: b (closed) answers anew
        let second = try take(&b)
        a.handle(packet: second, now: .zero)
        b.handle(packet: try take(&a), now: .zero)  // COOKIE ECHO of the second cookie
        a.handle(packet: try take(&b), now: .zero)  // COOKIE ACK
        #expect(a.isEstablished && b.isEstablished)
        _ = drain(&a); _ = drain(&b)
        return (a, b, initPacket, try initAck(first), try initAck(second))
    }

    @Test("(D) a duplicate COOKIE ECHO is answered with COOKIE ACK and changes nothing")
    func duplicateCookie() throws {
        var (a, b, _, _, second) = try Self.handshakeWithTwoAnswers()
        b.handle(packet: try Self.echo(of: second), now: Self.ms(10))
        #expect(try Self.chunks(try Self.take(&b)) == [.cookieAck])
        #expect(b.isEstablished && Self.drain(&b).isEmpty)
        a.handle(packet: SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 0, chunks: [.cookieAck]).serialize(), now: .zero)
        #expect(a.isEstablished)
    }

    @Test("(C) a late cookie from an earlier answer (same peer tag, old local tag, no tie-tags) is dropped silently")
    func lateCookie() throws {
        var (_, b, _, first, _) = try Self.handshakeWithTwoAnswers()
        b.handle(packet: try Self.echo(of: first), now: Self.ms(10))
        #expect(b.pollTransmit() == nil)
        #expect(b.statistics.discardedCookies == 1 && b.statistics.restarts == 0 && b.isEstablished)
        #expect(Self.drain(&b).isEmpty)
    }

    @Test("an unexpected INIT with the current tags gets a new tag and tie-tags; its cookie cannot restart the association")
    func duplicateInitInEstablished() throws {
        var (a, b, initPacket, _, second) = try Self.handshakeWithTwoAnswers()
        b.handle(packet: initPacket, now: Self.ms(20))  // a late copy of a's INIT
        let answer = try Self.initAck(try Self.take(&b))
        #expect(answer.initiateTag != second.initiateTag)
        a.handle(packet: try Self.echo(of: answer), now: Self.ms(20))  // a is no listener: nothing to echo
        // a's INIT ACK handling ignores it (established); if the cookie came back to b anyway, the
        // peer's tag matches and the tie-tags too: no row of the table applies.
        a.handle(packet: SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 0,
                                    chunks: [.initiationAck(answer)]).serialize(), now: Self.ms(20))
        #expect(a.isEstablished && a.pollTransmit() == nil)
        b.handle(packet: try Self.echo(of: answer), now: Self.ms(20))
        #expect(b.statistics.restarts == 0 && b.statistics.discardedCookies == 1 && b.isEstablished)
        #expect(b.pollTransmit() == nil)
        // The association still carries data.
        try a.send(stream: 0, ppid: 53, message: [9], now: Self.ms(30))
        b.handle(packet: try Self.take(&a), now: Self.ms(30))
        #expect(Self.drain(&b) == [.message(SCTPMessage(streamID: 0, ppid: 53, unordered: false, payload: [9]))])
    }

    @Test("(A) a restarted peer's COOKIE ECHO (new tags, matching tie-tags) restarts the association")
    func restartPacketByPacket() throws {
        var (a, b, _, _, _) = try Self.handshakeWithTwoAnswers()
        try b.send(stream: 3, ppid: 53, message: [1, 2, 3], now: Self.ms(5))
        a.handle(packet: try Self.take(&b), now: Self.ms(5))
        _ = Self.drain(&a); _ = Self.drain(&b)
        var ca = SCTPConfiguration(); ca.randomSeed = 77
        var restarted = SCTPAssociation(configuration: ca)  // a, after losing its state
        try restarted.connect(now: Self.ms(10))
        b.handle(packet: try Self.take(&restarted), now: Self.ms(10))
        restarted.handle(packet: try Self.take(&b), now: Self.ms(10))
        b.handle(packet: try Self.take(&restarted), now: Self.ms(10))  // COOKIE ECHO
        #expect(Self.drain(&b) == [.restarted])
        #expect(b.statistics.restarts == 1 && b.isEstablished)
        restarted.handle(packet: try Self.take(&b), now: Self.ms(10))  // COOKIE ACK
        #expect(restarted.isEstablished && Self.drain(&restarted) == [.connected])
        // Stream 3 starts again at SSN 0 on the new association.
        try b.send(stream: 3, ppid: 53, message: [4], now: Self.ms(20))
        restarted.handle(packet: try Self.take(&b), now: Self.ms(20))
        #expect(Self.drain(&restarted) == [.message(SCTPMessage(streamID: 3, ppid: 53, unordered: false, payload: [4]))])
        _ = a
    }

    @Test("(A) in SHUTDOWN-ACK-SENT a restart is refused: SHUTDOWN ACK again plus an ERROR; a late INIT gets SHUTDOWN ACK")
    func restartWhileShuttingDown() throws {
        var (a, b, _, _, _) = try Self.handshakeWithTwoAnswers()
        var ca = SCTPConfiguration(); ca.randomSeed = 78
        var restarted = SCTPAssociation(configuration: ca)
        try restarted.connect(now: Self.ms(1))
        b.handle(packet: try Self.take(&restarted), now: Self.ms(1))  // INIT while established
        restarted.handle(packet: try Self.take(&b), now: Self.ms(1))  // INIT ACK with tie-tags
        let echo = try Self.take(&restarted)
        a.shutdown(now: Self.ms(2))
        b.handle(packet: try Self.take(&a), now: Self.ms(2))  // SHUTDOWN
        _ = try Self.take(&b)  // SHUTDOWN ACK (lost)
        #expect(b.state == .shutdownAckSent)
        b.handle(packet: echo, now: Self.ms(3))
        let answer = try Self.chunks(try Self.take(&b))
        #expect(answer.first == .shutdownAck)
        #expect(answer.contains(.error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.cookieWhileShuttingDown)]))))
        #expect(b.state == .shutdownAckSent && b.statistics.restarts == 0)
        var again = SCTPAssociation(configuration: ca)
        try again.connect(now: Self.ms(4))
        b.handle(packet: try Self.take(&again), now: Self.ms(4))
        #expect(try Self.chunks(try Self.take(&b)) == [.shutdownAck])
    }
}
