import NIOCore
import NIOWebSocket

/// Reads WebSocket messages (RFC 6455 §5) from a connection's bytes in one place: frame
/// headers, unmasking, reassembly of fragmented messages, control frames between fragments,
/// and the size limit — what NIO's frame decoder and frame aggregator do in two pipeline
/// stages, without a `WebSocketFrame` per frame and with each payload copied once (unmasking
/// is the copy) into a buffer with `headroom` free bytes in front, so a relay can rewrite and
/// frame it in place.
///
/// Sans-IO: bytes go in (`append`), messages come out (`next`). Untrusted input never traps;
/// a fault throws a `WebSocketFrameParseError` naming the close code, and the reader stays
/// failed. Nothing is buffered beyond one message of `maxMessageBytes` plus one frame header.
public struct WebSocketFrameReader {
    /// A complete message, or a control frame, with its payload unmasked.
    public enum Message: Equatable, Sendable {
        case text(ByteBuffer)
        case binary(ByteBuffer)
        case ping(ByteBuffer)
        case pong(ByteBuffer)
        /// The close frame's payload (empty, or a 2-byte code and a UTF-8 reason).
        case close(ByteBuffer)
    }

    /// The largest message (a single frame's payload, or the sum of a fragmented message's).
    public let maxMessageBytes: Int
    /// The most frames one fragmented message may span.
    public let maxFragments: Int
    /// True on a server: every frame from a client must be masked (§5.1).
    public let requireMasking: Bool
    /// Free bytes left in front of every payload buffer.
    public let headroom: Int

    private var pending: ByteBuffer?
    /// A fragmented message being reassembled: its opcode, payload so far, frames so far.
    private var partial: (opcode: UInt8, data: ByteBuffer, fragments: Int)?
    private var failure: WebSocketFrameParseError?

    public init(maxMessageBytes: Int, maxFragments: Int = 64, requireMasking: Bool = true, headroom: Int = 0) {
        precondition(maxMessageBytes >= 0 && maxFragments >= 1 && headroom >= 0, "WebSocketFrameReader: bad limits")
        self.maxMessageBytes = maxMessageBytes
        self.maxFragments = maxFragments
        self.requireMasking = requireMasking
        self.headroom = headroom
    }

    /// Bytes read and not yet parsed (a frame's beginning).
    public var bufferedBytes: Int { pending?.readableBytes ?? 0 }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0, failure == nil else { return }
        if var buffer = pending, buffer.readableBytes > 0 {
            pending = nil  // the only reference: the append does not copy the storage
            if buffer.readerIndex > 4096 { buffer.discardReadBytes() }
            buffer.writeImmutableBuffer(bytes)
            pending = buffer
        } else {
            pending = bytes
        }
    }

    /// The next complete message or control frame, or nil until more bytes arrive.
    public mutating func next(allocator: ByteBufferAllocator) throws(WebSocketFrameParseError) -> Message? {
        if let failure { throw failure }
        do {
            while let message = try step(allocator: allocator) {
                if let message { return message }
            }
            return nil
        } catch {
            failure = error
            pending = nil
            partial = nil
            throw error
        }
    }

    /// Parses one frame: nil when incomplete, `.some(nil)` for a fragment that completes no message.
    private mutating func step(allocator: ByteBufferAllocator) throws(WebSocketFrameParseError) -> Message?? {
        guard var buffer = pending, buffer.readableBytes >= 2 else { return nil }
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
              let second = buffer.getInteger(at: start + 1, as: UInt8.self) else { return nil }
        let fin = first & 0x80 != 0
        let opcode = first & 0x0F
        let masked = second & 0x80 != 0
        guard first & 0x70 == 0 else { throw .protocolViolation("reserved bits set") }
        let isControl = opcode & 0x08 != 0
        switch opcode {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: break
        default: throw .protocolViolation("unknown opcode \(opcode)")
        }
        if requireMasking && !masked { throw .protocolViolation("unmasked client frame") }
        var headerLength = 2
        var length: UInt64
        switch second & 0x7F {
        case 126:
            guard let value = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = UInt64(value)
            headerLength += 2
        case 127:
            guard let value = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard value >> 63 == 0 else { throw .protocolViolation("frame length over 2^63") }
            length = value
            headerLength += 8
        case let short:
            length = UInt64(short)
        }
        if isControl {
            guard fin else { throw .protocolViolation("fragmented control frame") }
            guard length <= 125 else { throw .protocolViolation("control frame over 125 bytes") }
        } else {
            switch (opcode, partial) {
            case (0x0, nil): throw .protocolViolation("continuation without a message")
            case (0x1, .some), (0x2, .some): throw .protocolViolation("new message inside a fragmented one")
            default: break
            }
            let sofar = partial?.data.readableBytes ?? 0
            guard length <= UInt64(maxMessageBytes - sofar) else { throw .messageTooLarge }
            if !fin && length == 0 { throw .protocolViolation("empty non-final fragment") }
            if let partial, partial.fragments >= maxFragments { throw .protocolViolation("too many fragments") }
        }
        let keyOffset = start + headerLength
        if masked { headerLength += 4 }
        let count = Int(length)  // ≤ maxMessageBytes or ≤ 125
        guard buffer.readableBytes >= headerLength + count else { return nil }
        let key: WebSocketMaskingKey? = masked ? buffer.getBytes(at: keyOffset, length: 4).flatMap(WebSocketMaskingKey.init) : nil
        let payloadStart = start + headerLength

        // The frame is consumed (its bytes stay readable in `buffer` until it goes).
        pending = nil
        defer {
            buffer.moveReaderIndex(forwardBy: headerLength + count)
            if buffer.readableBytes > 0 { pending = buffer }
        }

        if !isControl, var message = partial {
            // A continuation: appended to the message being reassembled.
            partial = nil
            Self.copy(buffer, at: payloadStart, count: count, key: key, into: &message.data)
            message.fragments += 1
            guard fin else {
                partial = message
                return .some(nil)
            }
            return .some(message.opcode == 0x1 ? .text(message.data) : .binary(message.data))
        }
        var data = allocator.buffer(capacity: headroom + count)
        data.moveWriterIndex(forwardBy: headroom)
        data.moveReaderIndex(forwardBy: headroom)
        Self.copy(buffer, at: payloadStart, count: count, key: key, into: &data)
        switch opcode {
        case 0x1 where fin: return .some(.text(data))
        case 0x2 where fin: return .some(.binary(data))
        case 0x1, 0x2:
            partial = (opcode, data, 1)
            return .some(nil)
        case 0x8:
            guard count != 1 else { throw .protocolViolation("close frame of one byte") }
            return .some(.close(data))
        case 0x9: return .some(.ping(data))
        default: return .some(.pong(data))
        }
    }

    /// Appends `count` bytes of `source` from `index` (at or after its reader index) to
    /// `destination`, unmasked with `key`.
    private static func copy(_ source: ByteBuffer, at index: Int, count: Int, key: WebSocketMaskingKey?,
                             into destination: inout ByteBuffer) {
        guard count > 0 else { return }
        let offset = index - source.readerIndex
        source.withUnsafeReadableBytes { all in
            let input = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)])
            destination.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
                if let key {
                    WebSocketMasking.apply(key, from: input, to: out)
                } else {
                    out.copyMemory(from: input)
                }
                return count
            }
        }
    }
}
