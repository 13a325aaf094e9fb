import Signaling
import Testing
import WireKit

@Suite struct SignalingFrameTests {
    static let alice = "MFZWI3D-BONSGYC-AAAAAAA"
    static let bob = "NBSWY3D-PEB3W64-BBBBBBB"
    static let nonce = [UInt8](0..<32)

    static let clientFrames: [SignalingFrame] = [
        .auth(AuthFrame(certificate: [0x30, 0x82, 1, 2, 3], signature: [0x30, 0x45, 9], nonce: nonce)),
        .signal(SignalFrame(to: bob, id: "r1", payload: .object([
            "type": .string("offer"), "sdp": .string("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"),
        ]))),
        .signal(SignalFrame(to: bob, payload: .object([
            "candidate": .string("candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host"),
            "sdpMid": .string("0"), "sdpMLineIndex": .number(0), "usernameFragment": .null,
        ]))),
        .subscribe(SubscribeFrame(deviceIds: [alice, bob], id: "s")),
        .subscribe(SubscribeFrame(deviceIds: [])),
        .createRoom(CreateRoomFrame(id: "c1")),
        .joinRoom(JoinRoomFrame(nameplate: 7)),
        .roomMessage(RoomMessageFrame(nameplate: 7, body: [1, 1] + [UInt8](repeating: 4, count: 65))),
        .closeRoom(CloseRoomFrame(nameplate: 7, result: .failure)),
    ]

    static let serverFrames: [SignalingFrame] = [
        .challenge(ChallengeFrame(nonce: nonce, server: "wss://rendezvous.example/ws")),
        .authenticated(AuthenticatedFrame(deviceId: alice)),
        .signal(SignalFrame(from: alice, payload: .object(["type": .string("answer"), "sdp": .string("v=0\r\n")]))),
        .presence(PresenceFrame(deviceId: bob, online: true)),
        .roomCreated(RoomCreatedFrame(nameplate: 7, ref: "c1")),
        .roomJoined(RoomJoinedFrame(nameplate: 7)),
        .peerJoined(RoomJoinedFrame(nameplate: 7)),
        .roomMessage(RoomMessageFrame(nameplate: 7, body: [1, 4, 1])),
        .roomClosed(RoomClosedFrame(nameplate: 7, reason: .peerLeft)),
        .error(ErrorFrame(code: .peerOffline, message: "device is not connected", ref: "r1")),
    ]

    @Test(arguments: clientFrames)
    func clientFramesRoundTrip(_ frame: SignalingFrame) throws {
        let bytes = frame.encoded()
        #expect(try SignalingFrame(decoding: bytes, from: .client) == frame)
        #expect(frame.json.hasPrefix("{") && frame.json.contains("\"type\":\"\(frame.type)\""))
    }

    @Test(arguments: serverFrames)
    func serverFramesRoundTrip(_ frame: SignalingFrame) throws {
        #expect(try SignalingFrame(decoding: frame.encoded(), from: .server) == frame)
    }

    @Test func framesAsABrowserWritesThemParse() throws {
        // Exactly the examples of docs/rendezvous-protocol.md.
        let nonceB64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        let challenge = try SignalingFrame(decoding: #"{"type":"challenge","version":1,"nonce":"\#(nonceB64)","server":"wss://rv.example/ws"}"#, from: .server)
        #expect(challenge == .challenge(ChallengeFrame(nonce: Self.nonce, server: "wss://rv.example/ws")))
        let signal = try SignalingFrame(decoding: #"""
            {"type":"signal","to":"NBSWY3D-PEB3W64-BBBBBBB","id":"42",
             "payload":{"type":"offer","sdp":"v=0\r\n"},"extra":"ignored"}
            """#, from: .client)
        guard case .signal(let s) = signal else { Issue.record("\(signal)"); return }
        #expect(s.to == Self.bob && s.id == "42" && s.payload["type"]?.stringValue == "offer")
        #expect(s.payload["sdp"]?.stringValue == "v=0\r\n")
        let join = try SignalingFrame(decoding: #"{"type":"join-room","nameplate":7}"#, from: .client)
        #expect(join == .joinRoom(JoinRoomFrame(nameplate: 7)))
        let error = try SignalingFrame(decoding: #"{"type":"error","code":"from-the-future","message":"?"}"#, from: .server)
        #expect(error == .error(ErrorFrame(code: .unknown, message: "?")))
    }

    @Test func directionIsEnforced() {
        let challenge = SignalingFrame.challenge(ChallengeFrame(nonce: Self.nonce, server: "s")).encoded()
        #expect(throws: SignalingParseError.wrongDirection("challenge")) { try SignalingFrame(decoding: challenge, from: .client) }
        let auth = SignalingFrame.auth(AuthFrame(certificate: [1], signature: [2], nonce: Self.nonce)).encoded()
        #expect(throws: SignalingParseError.wrongDirection("auth")) { try SignalingFrame(decoding: auth, from: .server) }
        // A client must address a signal; a server must say who sent it.
        let unaddressed = SignalingFrame.signal(SignalFrame(from: Self.alice, payload: .null)).encoded()
        #expect(throws: SignalingParseError.invalidField("to", "required")) { try SignalingFrame(decoding: unaddressed, from: .client) }
    }

    @Test func theSizeLimitIsCheckedBeforeParsing() throws {
        let filler = String(repeating: "x", count: SignalingLimits.maxFrameBytes)
        let big = SignalingFrame.signal(SignalFrame(to: Self.bob, payload: .string(filler))).encoded()
        #expect(throws: SignalingParseError.tooLarge(big.count)) { try SignalingFrame(decoding: big, from: .client) }
        #expect(SignalingParseError.tooLarge(big.count).errorCode == .frameTooLarge)
        // Exactly at the limit is accepted.
        let base = SignalingFrame.signal(SignalFrame(to: Self.bob, payload: .string(""))).encoded().count
        let fits = SignalingFrame.signal(SignalFrame(to: Self.bob, payload: .string(String(repeating: "y", count: SignalingLimits.maxFrameBytes - base)))).encoded()
        #expect(fits.count == SignalingLimits.maxFrameBytes)
        #expect(throws: Never.self) { try SignalingFrame(decoding: fits, from: .client) }
    }

    struct Bad: Sendable, CustomStringConvertible {
        let json: String
        let sender: SignalingFrame.Sender
        let code: SignalingErrorCode
        var description: String { json }
    }

    static let bad: [Bad] = [
        Bad(json: "", sender: .client, code: .badFrame),
        Bad(json: "[]", sender: .client, code: .badFrame),
        Bad(json: #"{"type":7}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"kind":"signal"}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"teleport"}"#, sender: .client, code: .unknownType),
        Bad(json: #"{"type":"signal","to":"bob","payload":{}}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"signal","to":"NBSWY3D","payload":{}, "id":""}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"signal","to":"NBSWY3D"}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"signal","to":"NBSWY3D","payload":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"auth","certificate":"AA==","signature":"AA==","nonce":"AA=="}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"auth","certificate":"***","signature":"AA==","nonce":"AA=="}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"join-room","nameplate":1000000}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"join-room","nameplate":-1}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"join-room","nameplate":"7"}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"room-message","nameplate":7,"body":""}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"close-room","nameplate":7,"result":"maybe"}"#, sender: .client, code: .badFrame),
        Bad(json: #"{"type":"challenge","version":1,"nonce":"AA==","server":"s"}"#, sender: .server, code: .badFrame),
        Bad(json: #"{"type":"presence","deviceId":"lower-case","online":true}"#, sender: .server, code: .badFrame),
    ]

    @Test(arguments: bad)
    func invalidFramesAreRejectedWithACode(_ b: Bad) {
        do {
            let frame = try SignalingFrame(decoding: b.json, from: b.sender)
            Issue.record("accepted \(frame)")
        } catch {
            #expect(error.errorCode == b.code, "\(error)")
        }
    }

    @Test func limitsOnCountsAndSizes() {
        let many = SignalingFrame.subscribe(SubscribeFrame(deviceIds: Array(repeating: Self.alice, count: 257))).encoded()
        #expect((try? SignalingFrame(decoding: many, from: .client)) == nil, "257 subscriptions refused")
        let bigBody = SignalingFrame.roomMessage(RoomMessageFrame(nameplate: 1, body: [UInt8](repeating: 1, count: 8193))).encoded()
        #expect((try? SignalingFrame(decoding: bigBody, from: .client)) == nil, "8193-byte body refused")
        let okBody = SignalingFrame.roomMessage(RoomMessageFrame(nameplate: 1, body: [UInt8](repeating: 1, count: 8192))).encoded()
        #expect(throws: Never.self) { try SignalingFrame(decoding: okBody, from: .client) }
        let longMessage = SignalingFrame.error(ErrorFrame(code: .internal, message: String(repeating: "m", count: 513))).encoded()
        #expect(throws: SignalingParseError.self) { try SignalingFrame(decoding: longMessage, from: .server) }
    }

    @Test func signedBytesBindServerAndNonce() {
        let bytes = AuthFrame.signedBytes(server: "wss://a", nonce: [9, 9])
        #expect(bytes == Array("peersync-rendezvous-auth-v1".utf8) + [0] + Array("wss://a".utf8) + [0, 9, 9])
        #expect(AuthFrame.signedBytes(server: "wss://b", nonce: [9, 9]) != bytes)
    }

    static let interesting = Array(#"{}[]":,0a\ "#.utf8)

    @Test func mutatedFramesNeverTrap() {
        var rng = SeededRandom(seed: 0x516_0A1)
        let corpus = (Self.clientFrames + Self.serverFrames).map { $0.encoded() }
        var accepted = 0
        for i in 0..<3000 {
            var bytes = corpus[i % corpus.count]
            for _ in 0..<(1 + Int(rng.next() % 3)) where !bytes.isEmpty {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = Self.interesting[Int(rng.next() % UInt64(Self.interesting.count))]
                case 1: bytes.remove(at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            for sender in [SignalingFrame.Sender.client, .server] {
                if let frame = try? SignalingFrame(decoding: bytes, from: sender) {
                    accepted += 1
                    #expect((try? SignalingFrame(decoding: frame.encoded(), from: sender)) == frame,
                            "seed 0x5160A1 iteration \(i): re-encoding changed the frame")
                }
            }
        }
        #expect(accepted > 0)
    }
}
