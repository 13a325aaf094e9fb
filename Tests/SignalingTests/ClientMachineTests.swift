import DTLS
import Testing
import WireKit
@testable import Signaling

@Suite("Signaling client state machine")
struct ClientMachineTests {
    static let identity: DeviceIdentity = {
        do { return try DeviceIdentity.generate() } catch { preconditionFailure("\(error)") }
    }()
    static let peer = DeviceID(digest: Array(repeating: 9, count: 32))!
    let codec = SignalingCodec()

    func machine(seed: UInt64 = 1, queue: Int = 4) -> SignalingClientMachine {
        var configuration = SignalingClientMachine.Configuration()
        configuration.sendQueueLimit = queue
        configuration.expectedServerIdentity = "srv"
        return SignalingClientMachine(credential: DeviceIdentityCredential(Self.identity), configuration: configuration,
                                      random: SeededRandom(seed: seed))
    }

    func actions(_ m: inout SignalingClientMachine) -> [SignalingClientMachine.Action] {
        var out: [SignalingClientMachine.Action] = []
        while let a = m.pollAction() { out.append(a) }
        return out
    }

    func events(_ m: inout SignalingClientMachine) -> [SignalingClientEvent] {
        var out: [SignalingClientEvent] = []
        while let e = m.pollEvent() { out.append(e) }
        return out
    }

    /// Runs the handshake; returns the auth proof the machine sent.
    func handshake(_ m: inout SignalingClientMachine, now: Instant, nonce: [UInt8]) -> AuthProof? {
        m.handleConnected(now: now)
        m.handle(frame: codec.encode(ServerMessage.hello(version: 1, nonce: nonce, server: "srv")), now: now)
        var proof: AuthProof?
        for case .send(.auth(let p)) in actions(&m) { proof = p }
        m.handle(frame: codec.encode(ServerMessage.welcome(device: Self.identity.deviceID)), now: now)
        return proof
    }

    @Test("connect, sign the transcript, become ready; the proof verifies")
    func handshakeSigns() throws {
        var m = machine()
        let t0 = Instant(nanoseconds: 1_000)
        m.start(now: t0)
        #expect(actions(&m) == [.connect(attempt: 1)])
        let nonce = Array(repeating: UInt8(5), count: 32)
        let proof = try #require(handshake(&m, now: t0, nonce: nonce))
        let transcript = SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: "srv")
        #expect(AuthVerifier.verify(proof, transcript: transcript) == .success(Self.identity.deviceID))
        #expect(m.isReady)
        #expect(events(&m) == [.authenticated(Self.identity.deviceID)])
    }

    @Test("a hello from an unexpected server identity is refused and retried later")
    func wrongServer() {
        var m = machine()
        let t0 = Instant(nanoseconds: 1_000)
        m.start(now: t0)
        _ = actions(&m)
        m.handleConnected(now: t0)
        m.handle(frame: codec.encode(ServerMessage.hello(version: 1, nonce: Array(repeating: 1, count: 32), server: "evil")), now: t0)
        #expect(actions(&m) == [.disconnect])
        guard case .disconnected(_, _, let retry?) = events(&m).last else {
            Issue.record("expected a disconnect with a retry")
            return
        }
        #expect(retry >= .milliseconds(250) && retry <= .milliseconds(500))
    }

    @Test("queue while disconnected (bounded), flush after re-authentication, re-subscribe presence")
    func queueAndResubscribe() throws {
        var m = machine(queue: 2)
        var now = Instant(nanoseconds: 1_000)
        m.start(now: now)
        _ = actions(&m)
        _ = handshake(&m, now: now, nonce: Array(repeating: 1, count: 32))
        try m.send(.subscribe([Self.peer]), now: now)
        #expect(actions(&m) == [.send(.subscribe([Self.peer]))])
        m.handleDisconnected(code: 1006, reason: "gone", now: now)
        try m.send(.signal(to: Self.peer, payload: "1"), now: now)
        try m.send(.signal(to: Self.peer, payload: "2"), now: now)
        #expect(throws: SignalingClientError.queueFull) { try m.send(.signal(to: Self.peer, payload: "3"), now: now) }
        #expect(actions(&m).isEmpty)
        let wake = try #require(m.pollTimeout())
        now = wake
        m.handle(timeout: now)
        #expect(actions(&m) == [.connect(attempt: 1)])
        _ = handshake(&m, now: now, nonce: Array(repeating: 2, count: 32))
        #expect(actions(&m) == [.send(.subscribe([Self.peer])), .send(.signal(to: Self.peer, payload: "1")),
                                .send(.signal(to: Self.peer, payload: "2"))])
    }

    @Test("jittered exponential backoff across failed attempts, reset after success", arguments: [UInt64(1), 2, 3])
    func backoff(seed: UInt64) throws {
        var m = machine(seed: seed)
        var now = Instant(nanoseconds: 1_000)
        m.start(now: now)
        var delays: [Duration] = []
        for _ in 0..<8 {
            _ = actions(&m)
            m.handleDisconnected(code: nil, reason: "refused", now: now)
            let wake = try #require(m.pollTimeout())
            delays.append(wake - now)
            now = wake
            m.handle(timeout: now)
        }
        let backoff = Backoff()
        for (i, delay) in delays.enumerated() {
            let cap = backoff.cap(attempt: i + 1)
            #expect(delay >= cap / 2 && delay <= cap, "seed \(seed) attempt \(i + 1): \(delay)")
        }
        #expect(delays.last! <= .seconds(30))
        _ = actions(&m)
        _ = handshake(&m, now: now, nonce: Array(repeating: 1, count: 32))
        m.handleDisconnected(code: nil, reason: "blip", now: now)
        let wake = try #require(m.pollTimeout())
        #expect(wake - now <= .milliseconds(500), "seed \(seed)")
    }

    @Test("a handshake that stalls is abandoned at the timeout")
    func handshakeTimeout() {
        var m = machine()
        let t0 = Instant(nanoseconds: 1_000)
        m.start(now: t0)
        _ = actions(&m)
        m.handleConnected(now: t0)
        #expect(m.pollTimeout() == t0 + .seconds(10))
        m.handle(timeout: t0 + .seconds(10))
        #expect(actions(&m) == [.disconnect])
        #expect(m.pollTimeout() != nil)
    }

    @Test("replaced (4003) and auth-failed (4001) stop reconnecting", arguments: [UInt16(4001), 4003])
    func terminalCloses(code: UInt16) {
        var m = machine()
        let t0 = Instant(nanoseconds: 1_000)
        m.start(now: t0)
        _ = actions(&m)
        _ = handshake(&m, now: t0, nonce: Array(repeating: 1, count: 32))
        _ = events(&m)
        m.handleDisconnected(code: code, reason: "x", now: t0)
        #expect(events(&m) == [.disconnected(code: code, reason: "x", reconnectIn: nil)])
        #expect(m.pollTimeout() == nil)
        #expect(throws: SignalingClientError.stopped) { try m.send(.ping(id: nil), now: t0) }
    }

    @Test("server messages after welcome become events")
    func inbound() {
        var m = machine()
        let t0 = Instant(nanoseconds: 1_000)
        m.start(now: t0)
        _ = actions(&m)
        _ = handshake(&m, now: t0, nonce: Array(repeating: 1, count: 32))
        _ = events(&m)
        m.handle(frame: codec.encode(ServerMessage.signal(from: Self.peer, payload: "p")), now: t0)
        m.handle(frame: "garbage", now: t0)
        #expect(events(&m) == [.message(.signal(from: Self.peer, payload: "p"))])
    }
}
