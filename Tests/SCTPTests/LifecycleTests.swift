import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Setup, collisions, cookies, shutdown and abort.
@Suite struct LifecycleTests {
    struct NothingToSend: Error {}
    /// The next packet of `a`, or an error when it has none.
    static func take(_ a: inout SCTPAssociation) throws -> [UInt8] {
        guard let p = a.pollTransmit() else { throw NothingToSend() }
        return p
    }

    static func connected(seed: UInt64, delay: Duration = .milliseconds(10), interleaving: Bool? = nil) -> SimPair<SCTPAssociation> {
        var p = TransferTests.pair(PairLinkConditions(delay: delay), seed: seed, interleaving: interleaving)
        try? p.a.connect(now: p.now)
        for _ in 0..<1000 where !(p.a.isEstablished && p.b.isEstablished) {
            p.step(); while p.a.pollEvent() != nil {}; while p.b.pollEvent() != nil {}
        }
        return p
    }

    static func events(_ p: inout SimPair<SCTPAssociation>, until: Duration) -> (a: [SCTPEvent], b: [SCTPEvent]) {
        var a = [SCTPEvent](), b = [SCTPEvent]()
        let end = p.now + until
        while p.now < end, p.step(limit: end) {
            while let e = p.a.pollEvent() { a.append(e) }
            while let e = p.b.pollEvent() { b.append(e) }
        }
        while let e = p.a.pollEvent() { a.append(e) }
        while let e = p.b.pollEvent() { b.append(e) }
        return (a, b)
    }

    @Test("simultaneous INITs (both sides connect) form one association")
    func initCollision() {
        for seed: UInt64 in [1, 2, 3] {
            var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(30)), seed: seed)
            let r = TransferScenario(messageCount: 20, messageSize: { _ in 3000 }).run(&p, bothConnect: true)
            #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        }
    }

    @Test("handshake survives loss of INIT, INIT ACK, COOKIE ECHO and COOKIE ACK")
    func lossyHandshake() {
        for seed: UInt64 in 10..<16 {
            var p = TransferTests.pair(PairLinkConditions(delay: .milliseconds(10), loss: 0.3), seed: seed)
            let r = TransferScenario(messageCount: 5, messageSize: { _ in 100 }).run(&p)
            #expect(r.failure == nil, "seed \(seed): \(r.failure ?? "")")
        }
    }

    @Test("graceful shutdown from either side delivers queued data first", arguments: [true, false])
    func shutdown(fromA: Bool) throws {
        var p = Self.connected(seed: 31)
        for i in 0..<50 { try p.a.send(stream: 1, ppid: 53, message: TransferScenario.payload(index: i, size: 5000), now: p.now) }
        if fromA { p.a.shutdown(now: p.now) } else { p.b.shutdown(now: p.now) }
        if fromA { #expect(throws: SCTPError.self) { try p.a.send(stream: 1, ppid: 53, message: [1], now: p.now) } }
        let (a, b) = Self.events(&p, until: .seconds(10))
        let messages = b.filter { if case .message = $0 { return true } else { return false } }
        #expect(messages.count == 50)
        #expect(a.last == .closed && b.last == .closed, "a: \(a.suffix(2)) b: \(b.suffix(2))")
        #expect(p.a.state == .closed && p.b.state == .closed)
        #expect(p.a.pollTimeout() == nil && p.b.pollTimeout() == nil)
    }

    @Test("abort from either side reaches the peer with its reason", arguments: [true, false])
    func abort(fromA: Bool) {
        var p = Self.connected(seed: 41)
        if fromA { p.a.abort(reason: "bye", now: p.now) } else { p.b.abort(reason: "bye", now: p.now) }
        let (a, b) = Self.events(&p, until: .seconds(1))
        let remote = fromA ? b : a
        guard case .aborted(let reason) = remote.last else { Issue.record("no abort event: \(remote)"); return }
        #expect(reason.contains("bye"))
        #expect(p.a.state == .closed && p.b.state == .closed)
    }

    @Test("a stale cookie is refused with an ERROR and the client starts over")
    func cookieExpiry() throws {
        var ca = SCTPConfiguration(); ca.randomSeed = 1
        var cb = SCTPConfiguration(); cb.randomSeed = 2; cb.cookieLifetime = .seconds(1)
        var a = SCTPAssociation(configuration: ca), b = SCTPAssociation(configuration: cb)
        var now = Instant.zero
        try a.connect(now: now)
        b.handle(packet: try Self.take(&a), now: now)
        a.handle(packet: try Self.take(&b), now: now)
        let echo = try Self.take(&a)
        now = now + .seconds(2)  // the COOKIE ECHO arrives after the cookie expired
        b.handle(packet: echo, now: now)
        #expect(b.statistics.staleCookies == 1)
        #expect(b.state == .closed)
        let error = try Self.take(&b)
        a.handle(packet: error, now: now)
        #expect(a.state == .cookieWait)
        // The fresh INIT now completes the handshake.
        b.handle(packet: try Self.take(&a), now: now)
        a.handle(packet: try Self.take(&b), now: now)
        b.handle(packet: try Self.take(&a), now: now)
        a.handle(packet: try Self.take(&b), now: now)
        #expect(a.isEstablished && b.isEstablished)
    }

    @Test("a forged cookie is refused")
    func forgedCookie() throws {
        var a = SCTPAssociation(), b = SCTPAssociation()
        try a.connect(now: .zero)
        b.handle(packet: try Self.take(&a), now: .zero)
        a.handle(packet: try Self.take(&b), now: .zero)
        var echo = try SCTPPacket.parse(try Self.take(&a))
        guard case .cookieEcho(var c) = echo.chunks[0] else { Issue.record("no cookie echo"); return }
        c.cookie[3] ^= 1
        echo.chunks[0] = .cookieEcho(c)
        b.handle(packet: echo.serialize(), now: .zero)
        #expect(b.statistics.badCookies == 1 && b.state == .closed)
    }

    @Test("a peer that vanishes is detected by heartbeats")
    func heartbeatTimeout() {
        var p = Self.connected(seed: 51)
        p.ab.conditions.loss = 1
        p.ba.conditions.loss = 1
        let (a, _) = Self.events(&p, until: .seconds(3600))
        guard case .aborted = a.last else { Issue.record("no abort: \(a)"); return }
    }
}
