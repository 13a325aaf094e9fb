import DTLS
import Testing
import WireKit
@testable import Signaling

/// The `signal` shortcut (`SignalFrameScanner`) must answer exactly as the general JSONDecoder
/// path does, or not at all: same message, same error.
@Suite("Signal frame scanner")
struct SignalFrameScannerTests {
    static let id = DeviceID(digest: Array(0..<32))!
    static let to = id.description

    /// The outcome of a decode, comparable across paths.
    enum Outcome<Message: Equatable>: Equatable {
        case message(Message)
        case error(SignalingParseError)
    }

    static func client(_ text: String, codec: SignalingCodec = SignalingCodec()) -> (fast: Outcome<ClientMessage>, general: Outcome<ClientMessage>) {
        let fast: Outcome<ClientMessage>
        do { fast = .message(try codec.decodeClientMessage(text)) } catch { fast = .error(error) }
        let general: Outcome<ClientMessage>
        do { general = .message(try codec.decodeClientMessageGenerally(text)) } catch { general = .error(error) }
        return (fast, general)
    }

    static func layout(_ text: String, peerKey: SignalFrameLayout.PeerKey = .to) -> SignalFrameLayout? {
        Array(text.utf8).withUnsafeBytes { SignalFrameLayout.locate(in: $0, peerKey: peerKey) }
    }

    static func server(_ text: String, codec: SignalingCodec = SignalingCodec()) -> (fast: Outcome<ServerMessage>, general: Outcome<ServerMessage>) {
        let fast: Outcome<ServerMessage>
        do { fast = .message(try codec.decodeServerMessage(text)) } catch { fast = .error(error) }
        let general: Outcome<ServerMessage>
        do { general = .message(try codec.decodeServerMessageGenerally(text)) } catch { general = .error(error) }
        return (fast, general)
    }

    @Test("signal frames of the recognised shape are read by the scanner, as the general decoder reads them", arguments: [
        #"{"type":"signal","to":"\#(to)","payload":"hi"}"#,
        #"{"payload":"hi","to":"\#(to)","type":"signal"}"#,
        " \r\n\t{ \"to\" : \"\(to)\" ,\n\"type\":\"signal\",\t\"payload\" : \"\" } \n",
        #"{"type":"signal","to":"\#(to.lowercased())","payload":"{\"sdp\":\"v=0\\r\\n\"}"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"esc \" \\ \/ \b \f \n \r \t \u0041\u00e9\u20AC\u0000 end"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"ünïcödé 😀"}"#,
    ])
    func recognised(frame: String) throws {
        #expect(SignalFrameScanner.scan(frame, peerKey: SignalFrameScanner.toKey) != nil)
        // The layout names the same members, with the decoded payload's length.
        let layout = try #require(Self.layout(frame))
        let bytes = Array(frame.utf8)
        #expect(String(decoding: bytes[layout.peer], as: UTF8.self).uppercased() == Self.to)
        if case .message(.signal(_, let payload)) = Self.client(frame).fast {
            #expect(layout.payloadByteCount == payload.utf8.count)
            #expect(layout.payloadHasEscapes == bytes[layout.payload].contains(UInt8(ascii: "\\")))
        } else {
            Issue.record("not a signal")
        }
        let (fast, general) = Self.client(frame)
        #expect(fast == general)
        guard case .message(.signal(let device, _)) = fast else {
            Issue.record("not decoded as a signal: \(fast)")
            return
        }
        #expect(device == Self.id)
    }

    @Test("other shapes are left to the general decoder, with its results and errors", arguments: [
        #"{"type":"signal","to":"\#(to)","payload":"hi","extra":1}"#,
        #"{"type":"signal","to":"\#(to)","payload":"hi","payload":"again"}"#,
        #"{"type":"signal","type":"signal","to":"\#(to)","payload":"hi"}"#,
        #"{"typ\u0065":"signal","to":"\#(to)","payload":"hi"}"#,
        #"{"type":"signal","to":"\#(to)","payload":5}"#,
        #"{"type":"signal","to":"\#(to)","payload":null}"#,
        #"{"type":"signal","to":"\#(to)","payload":"\ud83d\ude00"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"\ud83d"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"hi"} x"#,
        #"{"type":"signal","to":"\#(to)","payload":"hi",}"#,
        #"{"type":"signal","to":"\#(to)","payload":"bad \x escape"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"raw"#  + "\u{1}" + #"control"}"#,
        #"{"type":"ping","to":"\#(to)","payload":"hi"}"#,
        #"{"type":"signal","payload":"hi"}"#,
        #"{"type":"signal","to":"\#(to)"}"#,
        #"{}"#, #"[]"#, "", "null",
    ])
    func fallback(frame: String) {
        #expect(SignalFrameScanner.scan(frame, peerKey: SignalFrameScanner.toKey) == nil)
        #expect(Self.layout(frame) == nil)
        let (fast, general) = Self.client(frame)
        #expect(fast == general)
    }

    @Test("malformed signal frames get the same clear errors as before")
    func errors() {
        let codec = SignalingCodec(maxFrameBytes: 200, maxPayloadBytes: 4)
        let long = #"{"type":"signal","to":"\#(Self.to)","payload":"\#(String(repeating: "x", count: 200))"}"#
        let cases: [(String, SignalingParseError)] = [
            (#"{"type":"signal","to":"nope","payload":"x"}"#, .invalidDeviceID("wrong length: 4 characters, expected 56")),
            (#"{"type":"signal","to":"\#(Self.to)","payload":"12345"}"#, .payloadTooLarge(bytes: 5, limit: 4)),
            (long, .tooLarge(bytes: long.utf8.count, limit: 200)),
            (#"{"type":"signal","payload":"x"}"#, .missingField("to")),
            (#"{"type":"signal","to":"\#(Self.to)"}"#, .missingField("payload")),
        ]
        for (frame, expected) in cases {
            let (fast, general) = Self.client(frame, codec: codec)
            #expect(fast == general, "\(frame)")
            if case .error(let error) = fast {
                #expect(error.errorCode == expected.errorCode, "\(frame)")
                if case .invalidDeviceID = expected { continue }
                #expect(error == expected, "\(frame)")
            } else {
                Issue.record("\(frame) decoded: \(fast)")
            }
        }
    }

    @Test("server-side signal frames: the client's shortcut agrees with the general decoder")
    func serverDirection() {
        let codec = SignalingCodec()
        for payload in ["", "p", "quote \" \\ \r\n", "\u{0}\u{1F}", "😀"] {
            let text = codec.encode(ServerMessage.signal(from: Self.id, payload: payload))
            #expect(SignalFrameScanner.scan(text, peerKey: SignalFrameScanner.fromKey) != nil)
            let (fast, general) = Self.server(text)
            #expect(fast == general)
            #expect(fast == .message(.signal(from: Self.id, payload: payload)))
        }
        // A `to` key in a server frame is not the shape the server-side scanner knows.
        let (fast, general) = Self.server(#"{"type":"signal","to":"\#(Self.to)","payload":"x"}"#)
        #expect(fast == general)
    }

    @Test("mutated signal frames: both paths always agree")
    func mutationAgreement() {
        let seed: UInt64 = 0x51_6e_41_1
        var random = SeededRandom(seed: seed)
        let codec = SignalingCodec(maxFrameBytes: 400, maxPayloadBytes: 120)
        let seeds = [
            codec.encode(ClientMessage.signal(to: Self.id, payload: #"{"kind":"offer","sdp":"v=0\r\n"}"#)),
            #"{ "payload" : "a\u00e9\n" , "type" : "signal" , "to" : "\#(Self.to)" }"#,
            codec.encode(ServerMessage.signal(from: Self.id, payload: "x\"y")),
        ]
        let pieces: [[UInt8]] = [Array("\\".utf8), Array("\"".utf8), Array("\\u".utf8), Array("\\ud800".utf8), Array(",".utf8),
                                 Array("}".utf8), Array(" ".utf8), Array("\"to\":".utf8), Array("null".utf8), [0x01], [0xC3, 0xA9]]
        var recognised = 0
        for round in 0..<3_000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[at] = UInt8.random(in: 0...127, using: &random)
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(contentsOf: pieces[Int.random(in: 0..<pieces.count, using: &random)], at: at)
                default: bytes.insert(bytes[at], at: at)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let scanned = SignalFrameScanner.scan(text, peerKey: SignalFrameScanner.toKey)
            if scanned != nil { recognised += 1 }
            // Located only when valid UTF-8 that the scanner recognises, with the payload's length.
            let located = bytes.withUnsafeBytes { SignalFrameLayout.locate(in: $0, peerKey: .to) }
            if Array(text.utf8) == bytes {
                #expect((located != nil) == (scanned != nil), "seed \(seed) round \(round): \(text)")
                if let located, let scanned { #expect(located.payloadByteCount == scanned.payload.utf8.count) }
            } else {
                #expect(located == nil, "seed \(seed) round \(round): not UTF-8 yet located")
            }
            let (fastClient, generalClient) = Self.client(text, codec: codec)
            #expect(fastClient == generalClient, "seed \(seed) round \(round): \(text)")
            let (fastServer, generalServer) = Self.server(text, codec: codec)
            #expect(fastServer == generalServer, "seed \(seed) round \(round): \(text)")
        }
        #expect(recognised > 100, "seed \(seed): too few mutants kept the signal shape")
    }
}
