import NIOCore

/// Server (unmasked) WebSocket frames written as bytes (RFC 6455 §5.2): the header goes into
/// the free bytes in front of the payload when there are enough (a `WebSocketFrameReader`
/// payload or a buffer from `payloadBuffer` has them), so a frame is one buffer and one iovec
/// of a `writev`, not a separate header buffer as NIO's frame encoder writes.
public enum WebSocketFrameWriter {
    /// The longest server frame header: 2 bytes and an 8-byte length.
    public static let maxHeaderBytes = 10

    /// Opcodes of the frames a server writes.
    public static let text: UInt8 = 0x1
    public static let binary: UInt8 = 0x2
    public static let close: UInt8 = 0x8
    public static let ping: UInt8 = 0x9
    public static let pong: UInt8 = 0xA

    /// The header length of an unmasked frame carrying `payloadLength` bytes.
    public static func headerLength(payloadLength: Int) -> Int {
        payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10
    }

    /// An empty buffer for up to `capacity` payload bytes with room in front for any header.
    public static func payloadBuffer(_ allocator: ByteBufferAllocator, capacity: Int) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: maxHeaderBytes + capacity)
        buffer.moveWriterIndex(forwardBy: maxHeaderBytes)
        buffer.moveReaderIndex(forwardBy: maxHeaderBytes)
        return buffer
    }

    /// Turns `payload` (its readable bytes) into a final, unmasked frame with `opcode`: the
    /// header is written in front of it in place when there is room, else the frame is copied
    /// into a new buffer.
    public static func frame(_ payload: inout ByteBuffer, opcode: UInt8, allocator: ByteBufferAllocator) {
        let length = payload.readableBytes
        let header = headerLength(payloadLength: length)
        if payload.readerIndex < header {
            var framed = allocator.buffer(capacity: header + length)
            framed.moveWriterIndex(forwardBy: header)
            framed.moveReaderIndex(forwardBy: header)
            framed.writeImmutableBuffer(payload)
            payload = framed
        }
        var index = payload.readerIndex - header
        payload.moveReaderIndex(to: index)
        index += payload.setInteger(0x80 | (opcode & 0x0F), at: index)
        switch header {
        case 2:
            payload.setInteger(UInt8(length), at: index)
        case 4:
            index += payload.setInteger(UInt8(126), at: index)
            payload.setInteger(UInt16(length), at: index)
        default:
            index += payload.setInteger(UInt8(127), at: index)
            payload.setInteger(UInt64(length), at: index)
        }
    }
}
