import DTLS
import Testing
import WireKit
@testable import Signaling

@Suite("Signaling codec")
struct CodecTests {
    static let id = DeviceID(digest: Array(0..<32))!

    @Test("every client message round-trips", arguments: [
        ClientMessage.auth(AuthProof(credential: .certificate([1, 2, 3]), signature: [4, 5])),
        .auth(AuthProof(credential: .publicKey([9, 9]), signature: Array(repeating: 7, count: 64), signatureFormat: .raw)),
        .signal(to: id, payload: "{\"sdp\":\"v=0\\r\\n\"}"), .subscribe([id]), .unsubscribe([]),
        .createRoom(code: nil), .createRoom(code: "7"), .joinRoom(code: "7"), .roomMessage(code: "a.b_c-1", payload: ""),
        .closeRoom(code: "7", outcome: .failed), .ping(id: nil), .ping(id: "x"),
    ])
    func clientRoundTrip(message: ClientMessage) throws {
        let codec = SignalingCodec()
        #expect(try codec.decodeClientMessage(codec.encode(message)) == message)
    }

    @Test("every server message round-trips", arguments: [
        ServerMessage.hello(version: 1, nonce: Array(repeating: 3, count: 32), server: "s"), .welcome(device: id),
        .signal(from: id, payload: "p"), .presence(device: id, online: true), .roomCreated(code: "12", expiresIn: 600),
        .roomJoined(code: "12"), .roomMessage(code: "12", payload: "m"), .roomClosed(code: "12", reason: .peerLeft),
        .error(code: .roomFull, message: "full", ref: "12"), .pong(id: "1"),
    ])
    func serverRoundTrip(message: ServerMessage) throws {
        let codec = SignalingCodec()
        #expect(try codec.decodeServerMessage(codec.encode(message)) == message)
    }

    @Test("the hand-written signal encoding escapes every character a payload may hold", arguments: [
        "", "plain", "quote \" and backslash \\", "lines\r\n\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "ünïcödé 😀 /slash/",
        #"{"kind":"offer","sdp":"v=0\r\n"}"#,
    ])
    func signalEncoding(payload: String) throws {
        let codec = SignalingCodec()
        let text = codec.encode(ServerMessage.signal(from: Self.id, payload: payload))
        #expect(try codec.decodeServerMessage(text) == .signal(from: Self.id, payload: payload))
        #expect(text.hasPrefix(#"{"type":"signal","from":""#))
    }

    @Test("the documented wire form of auth and signal")
    func documentedForm() throws {
        let codec = SignalingCodec()
        let auth = #"{"type":"auth","publicKey":"AQI=","signature":"AwQ=","signatureFormat":"raw","extra":true}"#
        #expect(try codec.decodeClientMessage(auth) == .auth(AuthProof(credential: .publicKey([1, 2]), signature: [3, 4], signatureFormat: .raw)))
        let signal = #"{"type":"signal","to":"\#(Self.id.description.lowercased())","payload":"hi"}"#
        #expect(try codec.decodeClientMessage(signal) == .signal(to: Self.id, payload: "hi"))
    }

    @Test("limits: frame size and payload size")
    func limits() {
        let codec = SignalingCodec(maxFrameBytes: 100, maxPayloadBytes: 10)
        #expect(throws: SignalingParseError.tooLarge(bytes: 101, limit: 100)) {
            try codec.decodeClientMessage(String(repeating: " ", count: 101))
        }
        #expect(throws: SignalingParseError.payloadTooLarge(bytes: 11, limit: 10)) {
            try codec.decodeClientMessage(#"{"type":"room-message","room":"1","payload":"12345678901"}"#)
        }
    }

    @Test("auth transcript layout: prefix, zero byte, nonce, server identity")
    func transcript() {
        let bytes = SignalingProtocol.authTranscript(nonce: Array(repeating: 0xAB, count: 32), serverIdentity: "srv")
        #expect(bytes.count == 27 + 1 + 32 + 3)
        #expect(Array(bytes.prefix(27)) == Array("peersync-rendezvous-auth-v1".utf8))
        #expect(bytes[27] == 0)
        #expect(Array(bytes.suffix(3)) == Array("srv".utf8))
    }

    @Test("random bytes never crash the decoder")
    func randomBytes() {
        let seed: UInt64 = 77
        var random = SeededRandom(seed: seed)
        let codec = SignalingCodec()
        var errors = 0
        for _ in 0..<2_000 {
            let text = String(decoding: random.bytes(Int.random(in: 0..<64, using: &random)), as: UTF8.self)
            do { _ = try codec.decodeClientMessage(text) } catch { errors += 1 }
            do { _ = try codec.decodeServerMessage("{\"type\":\"hello\"," + text) } catch { errors += 1 }
        }
        #expect(errors == 4_000, "seed \(seed)")
    }
}
