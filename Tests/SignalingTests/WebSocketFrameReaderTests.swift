import NIOCore
import NIOWebSocket
import Testing
import WireKit
@testable import Signaling

/// `WebSocketFrameReader` (RFC 6455 §5 framing, unmasking, reassembly, limits) and
/// `WebSocketFrameWriter` (server frame headers written in place).
@Suite("WebSocket frame reader and writer")
struct WebSocketFrameReaderTests {
    static let allocator = ByteBufferAllocator()

    /// One client frame as bytes: masked with `key` unless it is nil; `length` overrides the
    /// header's length field (for frames that lie about it).
    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, key: [UInt8]? = [1, 2, 3, 4],
                      rsv: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = key == nil ? 0 : 0x80
        switch payload.count {
        case ..<126: bytes.append(maskBit | UInt8(payload.count))
        case ...0xFFFF: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [maskBit | 127] + (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        guard let key else { return bytes + payload }
        return bytes + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    static func text(_ string: String, fin: Bool = true) -> [UInt8] { frame(0x1, Array(string.utf8), fin: fin) }

    /// Feeds `bytes` in pieces of `chunk` bytes and collects every message until the end or a fault.
    static func read(_ bytes: [UInt8], chunk: Int = .max, reader: WebSocketFrameReader = .init(maxMessageBytes: 1 << 20))
        -> (messages: [WebSocketFrameReader.Message], error: WebSocketFrameParseError?) {
        var reader = reader
        var messages: [WebSocketFrameReader.Message] = []
        var offset = 0
        while offset < bytes.count {
            let end = offset + min(chunk, bytes.count - offset)
            reader.append(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            do {
                while let message = try reader.next(allocator: allocator) { messages.append(message) }
            } catch {
                return (messages, error)
            }
        }
        return (messages, nil)
    }

    static func string(_ message: WebSocketFrameReader.Message) -> String? {
        guard case .text(let buffer) = message else { return nil }
        return String(buffer: buffer)
    }

    @Test("a masked text frame is unmasked into a buffer with the requested headroom")
    func single() {
        let (messages, error) = Self.read(Self.text("hello"), reader: .init(maxMessageBytes: 100, headroom: 24))
        #expect(error == nil)
        #expect(messages.count == 1)
        guard case .text(let buffer)? = messages.first else { return }
        #expect(String(buffer: buffer) == "hello")
        #expect(buffer.readerIndex == 24)
    }

    @Test("the same messages whatever the read boundaries", arguments: [1, 2, 3, 7, 64, Int.max])
    func boundaries(chunk: Int) {
        let long = String(repeating: "x", count: 300)
        let huge = String(repeating: "y", count: 70_000)
        let stream = Self.text("a") + Self.frame(0x9, [9]) + Self.text(long) + Self.text("b", fin: false)
            + Self.frame(0xA, []) + Self.frame(0x0, Array("c".utf8)) + Self.text(huge) + Self.frame(0x2, [0, 255])
        let (messages, error) = Self.read(stream, chunk: chunk)
        #expect(error == nil)
        #expect(messages == [.text(ByteBuffer(string: "a")), .ping(ByteBuffer(bytes: [9])), .text(ByteBuffer(string: long)),
                             .pong(ByteBuffer()), .text(ByteBuffer(string: "bc")), .text(ByteBuffer(string: huge)),
                             .binary(ByteBuffer(bytes: [0, 255]))])
    }

    @Test("a fragmented message is reassembled across control frames, each fragment with its own key")
    func fragments() {
        let stream = Self.frame(0x1, Array("fra".utf8), fin: false, key: [9, 8, 7, 6]) + Self.frame(0x9, Array("p".utf8))
            + Self.frame(0x0, Array("gm".utf8), fin: false, key: [0xFF, 0, 0xFF, 0]) + Self.frame(0x0, Array("ent".utf8))
        let (messages, error) = Self.read(stream, chunk: 5)
        #expect(error == nil)
        #expect(messages == [.ping(ByteBuffer(string: "p")), .text(ByteBuffer(string: "fragment"))])
    }

    @Test("frames that break RFC 6455 §5 are protocol violations (1002)", arguments: [
        ("continuation without a message", frame(0x0, [1])),
        ("new message inside a fragmented one", text("a", fin: false) + text("b")),
        ("unmasked client frame", frame(0x1, [1], key: nil)),
        ("reserved bits set", frame(0x1, [1], rsv: 0x40)),
        ("unknown opcode 3", frame(0x3, [1])),
        ("unknown opcode 11", frame(0xB, [])),
        ("fragmented control frame", frame(0x9, [1], fin: false)),
        ("control frame over 125 bytes", frame(0x9, Array(repeating: 0, count: 126))),
        ("close frame of one byte", frame(0x8, [3])),
        ("empty non-final fragment", frame(0x1, [], fin: false)),
        ("frame length over 2^63", [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
    ])
    func violations(why: String, bytes: [UInt8]) {
        let (_, error) = Self.read(bytes)
        #expect(error == .protocolViolation(why))
        #expect(error?.closeCode == 1002)
    }

    @Test("too many fragments are a protocol violation")
    func fragmentCount() {
        let reader = WebSocketFrameReader(maxMessageBytes: 100, maxFragments: 3)
        let three = Self.text("a", fin: false) + Self.frame(0x0, [1], fin: false) + Self.frame(0x0, [2])
        #expect(Self.read(three, reader: reader).error == nil)
        let four = Self.text("a", fin: false) + Self.frame(0x0, [1], fin: false) + Self.frame(0x0, [2], fin: false) + Self.frame(0x0, [3])
        #expect(Self.read(four, reader: reader).error == .protocolViolation("too many fragments"))
    }

    @Test("size limit: a frame over it fails on its header alone; fragments are counted together (1009)")
    func sizeLimit() {
        let reader = WebSocketFrameReader(maxMessageBytes: 200)
        let atLimit = Self.read(Self.frame(0x1, Array(repeating: 0x20, count: 200)), reader: reader)
        #expect(atLimit.error == nil && atLimit.messages.count == 1)
        // Only the header of a 64 KiB frame: refused before any payload is buffered.
        let header = Array(Self.frame(0x1, Array(repeating: 0, count: 65_536)).prefix(14))
        #expect(Self.read(header, reader: reader).error == .messageTooLarge)
        let pieces = Self.frame(0x1, Array(repeating: 0x20, count: 150), fin: false) + Self.frame(0x0, Array(repeating: 0x20, count: 51))
        let over = Self.read(pieces, reader: reader)
        #expect(over.error == .messageTooLarge)
        #expect(over.error?.closeCode == 1009)
        // Control frames do not count toward a message.
        let mixed = Self.frame(0x1, Array(repeating: 0x20, count: 150), fin: false) + Self.frame(0x9, Array(repeating: 1, count: 100))
            + Self.frame(0x0, Array(repeating: 0x20, count: 50))
        #expect(Self.read(mixed, reader: reader).messages.count == 2)
    }

    @Test("a close frame carries its code and reason; the reader stays failed after a fault")
    func closeAndFailure() throws {
        let (messages, _) = Self.read(Self.frame(0x8, [0x03, 0xE8] + Array("bye".utf8)))
        guard case .close(var payload)? = messages.first else {
            Issue.record("no close frame")
            return
        }
        #expect(payload.readWebSocketErrorCode() == .normalClosure)
        #expect(String(buffer: payload) == "bye")
        var reader = WebSocketFrameReader(maxMessageBytes: 10)
        reader.append(ByteBuffer(bytes: Self.frame(0x3, [])))
        #expect(throws: WebSocketFrameParseError.protocolViolation("unknown opcode 3")) { try reader.next(allocator: Self.allocator) }
        reader.append(ByteBuffer(bytes: Self.text("ok")))
        #expect(throws: WebSocketFrameParseError.protocolViolation("unknown opcode 3")) { try reader.next(allocator: Self.allocator) }
    }

    @Test("random bytes in random pieces never trap, and the pieces do not change the outcome")
    func randomBytes() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededRandom(seed: seed)
        for _ in 0..<2_000 {
            // Mostly well-formed frames with a byte flipped now and then, sometimes pure noise.
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let opcode = [0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x3][Int.random(in: 0...6, using: &random)]
                let count = [0, 1, 2, 125, 126, 300][Int.random(in: 0...5, using: &random)]
                stream += Self.frame(UInt8(opcode), random.bytes(count), fin: random.chance(0.7),
                                     key: random.chance(0.95) ? random.bytes(4) : nil)
            }
            if random.chance(0.3), !stream.isEmpty { stream[Int.random(in: 0..<stream.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random) }
            if random.chance(0.1) { stream = random.bytes(Int.random(in: 0...64, using: &random)) }
            let reader = WebSocketFrameReader(maxMessageBytes: 512, maxFragments: 4)
            let whole = Self.read(stream, reader: reader)
            let pieces = Self.read(stream, chunk: Int.random(in: 1...40, using: &random), reader: reader)
            #expect(whole.messages == pieces.messages && whole.error == pieces.error, "seed \(seed)")
        }
    }

    @Test("server frames: header sizes at the length boundaries, in place when there is room", arguments: [0, 125, 126, 65_535, 65_536])
    func writer(length: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        var roomy = WebSocketFrameWriter.payloadBuffer(Self.allocator, capacity: length)
        roomy.writeBytes(payload)
        var tight = ByteBuffer(bytes: payload)
        WebSocketFrameWriter.frame(&roomy, opcode: WebSocketFrameWriter.binary, allocator: Self.allocator)
        WebSocketFrameWriter.frame(&tight, opcode: WebSocketFrameWriter.binary, allocator: Self.allocator)
        let header = WebSocketFrameWriter.headerLength(payloadLength: length)
        #expect(roomy.readerIndex == WebSocketFrameWriter.maxHeaderBytes - header)
        #expect(roomy.readableBytes == header + length && tight == roomy)
        let expected = Self.frame(0x2, payload, key: nil)
        #expect(roomy.readableBytesView.elementsEqual(expected))
        let read = Self.read(expected, reader: .init(maxMessageBytes: 1 << 17, requireMasking: false))
        #expect(read.messages == [.binary(ByteBuffer(bytes: payload))])
    }
}
