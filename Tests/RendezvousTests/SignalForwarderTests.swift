import DTLS
import NIOCore
import NIOWebSocket
import Signaling
import Testing
import WireKit
@testable import Rendezvous

/// The relay's hot path: what `SignalForwarder` forwards must read, for the addressee, exactly
/// as the general path's `signal` frame does; whatever it cannot forward it leaves alone.
@Suite("Signal forwarder")
struct SignalForwarderTests {
    static let allocator = ByteBufferAllocator()
    static let codec = SignalingCodec(maxFrameBytes: 400, maxPayloadBytes: 120)
    static let to = DeviceID(digest: Array(0..<32))!
    static let from = DeviceID(digest: Array(32..<64))!

    /// `bytes` as the server holds a client's text message: masked as a client masks it, then
    /// read back by the server's own `WebSocketFrameReader` (unmasked, with the forwarder's headroom).
    static func received(_ bytes: [UInt8]) -> ByteBuffer {
        let key: WebSocketMaskingKey = [7, 0x80, 0xFF, 42]
        var data = allocator.buffer(bytes: bytes)
        data.webSocketMask(key)
        var wire = allocator.buffer(capacity: bytes.count + 14)
        wire.writeInteger(UInt8(0x81))
        if bytes.count < 126 {
            wire.writeInteger(UInt8(0x80 | bytes.count))
        } else {
            wire.writeInteger(UInt8(0x80 | 126))
            wire.writeInteger(UInt16(bytes.count))
        }
        wire.writeBytes(Array(key))
        wire.writeImmutableBuffer(data)
        var reader = WebSocketFrameReader(maxMessageBytes: 1 << 16, headroom: SignalForwarder.headroom)
        reader.append(wire)
        guard case .text(let payload)? = try? reader.next(allocator: allocator) else {
            Issue.record("the reader did not return the text message")
            return allocator.buffer(bytes: bytes)
        }
        return payload
    }

    /// Plans and rewrites `text` as the server does; nil when it is left to the general path.
    static func forward(_ bytes: [UInt8]) -> (buffer: ByteBuffer, target: DeviceID, inPlace: Bool)? {
        var forwarder = SignalForwarder()
        var buffer = received(bytes)
        #expect(buffer.readableBytesView.elementsEqual(bytes))
        guard let (target, layout) = forwarder.plan(buffer, codec: codec) else { return nil }
        let inPlace = forwarder.rewrite(&buffer, layout: layout, from: from, allocator: allocator)
        return (buffer, target, inPlace)
    }

    @Test("forwarded frames read as the general path's signal from the sender, in place when the layout allows", arguments: [
        (#"{"type":"signal","to":"\#(to)","payload":"hi"}"#, true),
        (#"{"type":"signal","to":"\#(to)","payload":""}"#, true),
        (#"{"type":"signal","to":"\#(to.description.lowercased())","payload":"{\"sdp\":\"v=0\\r\\n\"}"}"#, true),
        (#"{"type":"signal","to":"\#(to)","payload":"esc \" \\ \/ \b \f \n \r \t \u0041\u00e9\u20AC\u0000 end"}"#, true),
        (#"{"type":"signal","to":"\#(to)","payload":"ünïcödé 😀"}"#, true),
        (#" { "to" : "\#(to)" , "type" : "signal" , "payload" : "spaced" } "#, true),
        (#"{"payload":"first","type":"signal","to":"\#(to)"}"#, false),
    ])
    func forwards(frame: String, inPlace: Bool) throws {
        let expected = try Self.codec.decodeClientMessage(frame)
        guard case .signal(let target, let payload) = expected else {
            Issue.record("not a signal: \(expected)")
            return
        }
        let forwarded = try #require(Self.forward(Array(frame.utf8)))
        #expect(forwarded.target == target)
        let text = String(buffer: forwarded.buffer)
        #expect(try Self.codec.decodeServerMessage(text) == .signal(from: Self.from, payload: payload))
        #expect(text.hasPrefix(#"{"type":"signal","from":"\#(Self.from)","payload":"#))
        // Either way the frame keeps room in front for the WebSocket header (NIO writes it there).
        #expect(forwarded.buffer.readerIndex >= 10)
        #expect(forwarded.inPlace == inPlace)
    }

    @Test("one forwarder follows a sender that switches addressees (the last addressee's ID is cached)")
    func switchingTargets() {
        var forwarder = SignalForwarder()
        let other = DeviceID(digest: Array(repeating: 9, count: 32))!
        // Same text length, same and different IDs, and one written in lower case.
        for target in [Self.to, Self.to, other, Self.to, other, other] {
            for spelling in [target.description, target.description.lowercased()] {
                let bytes = Array(#"{"type":"signal","to":"\#(spelling)","payload":"x"}"#.utf8)
                let buffer = Self.received(bytes)
                let planned = forwarder.plan(buffer, codec: Self.codec)
                #expect(planned?.target == target)
            }
        }
    }

    @Test("frames the shortcut must not forward take the general path", arguments: [
        #"{"type":"signal","to":"\#(to)","payload":"\#(String(repeating: "x", count: 121))"}"#,  // payload over the limit
        #"{"type":"signal","to":"\#(to)","payload":"\#(String(repeating: "x", count: 100))","pad":"\#(String(repeating: " ", count: 300))"}"#,
        #"{"type":"signal","to":"nope","payload":"x"}"#,
        #"{"type":"signal","to":"\u0041\#(to.description.dropFirst())","payload":"x"}"#,  // escaped peer
        #"{"type":"ping","id":"x"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"\ud83d\ude00"}"#,
        #"{"type":"signal","to":"\#(to)","payload":"x"} trailing"#,
    ])
    func leavesAlone(frame: String) {
        #expect(Self.forward(Array(frame.utf8)) == nil)
    }

    @Test("bytes that are not UTF-8 are never forwarded (the general path repairs them)")
    func invalidUTF8() {
        let head = Array(#"{"type":"signal","to":"\#(Self.to)","payload":""#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            #expect(Self.forward(head + bad + Array(#""}"#.utf8)) == nil, "\(bad)")
        }
        #expect(Self.forward(head + [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80] + Array(#""}"#.utf8)) != nil)
    }

    @Test("word-at-a-time masking equals NIO's byte-at-a-time masking")
    func masking() {
        let seed: UInt64 = 0x6d61736b
        var random = SeededRandom(seed: seed)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let key = WebSocketMaskingKey.random(using: &random)
            var reference = Self.allocator.buffer(bytes: bytes)
            reference.webSocketMask(key)
            var output = [UInt8](repeating: 0, count: length)
            bytes.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { WebSocketMasking.apply(key, from: source, to: $0) }
            }
            #expect(reference.readableBytesView.elementsEqual(output), "seed \(seed) length \(length)")
        }
    }
}
