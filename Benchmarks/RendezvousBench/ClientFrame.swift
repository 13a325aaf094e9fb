import NIOCore
import NIOWebSocket
import Signaling

/// Masked client WebSocket frames written straight as bytes. The bench takes NIO's frame
/// encoder out of its pipeline: for a masked frame it copies the payload (the frame still holds
/// it), masks it a byte at a time and writes the header as a second buffer. Here the payload is
/// written after room for the header, masked in place a word at a time, and the header put in
/// front: one buffer, one copy.
enum ClientFrame {
    /// The longest client frame header: 2 bytes, an 8-byte length, the 4-byte masking key.
    static let headroom = 14
    static let text: UInt8 = 0x1
    static let close: UInt8 = 0x8
    static let pong: UInt8 = 0xA

    /// An empty buffer for a frame's payload of up to `capacity` bytes, with room in front for the header.
    static func payloadBuffer(_ allocator: ByteBufferAllocator, capacity: Int) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headroom + capacity)
        buffer.moveWriterIndex(forwardBy: headroom)
        buffer.moveReaderIndex(forwardBy: headroom)
        return buffer
    }

    /// Masks the payload (the readable bytes of a `payloadBuffer`) in place and puts a final
    /// frame's header with `opcode` and `key` in front of it.
    static func seal(_ buffer: inout ByteBuffer, opcode: UInt8, key: WebSocketMaskingKey) {
        let length = buffer.readableBytes
        buffer.withUnsafeMutableReadableBytes { bytes in
            WebSocketMasking.apply(key, from: UnsafeRawBufferPointer(bytes), to: bytes)
        }
        let lengthBytes = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8
        let start = buffer.readerIndex - (2 + lengthBytes + 4)
        precondition(start >= 0, "ClientFrame.seal: the buffer has no room for the header")
        var index = start
        index += buffer.setInteger(0x80 | opcode, at: index)
        switch lengthBytes {
        case 0: index += buffer.setInteger(0x80 | UInt8(length), at: index)
        case 2: index += buffer.setInteger(UInt8(0x80 | 126), at: index) + buffer.setInteger(UInt16(length), at: index + 1)
        default: index += buffer.setInteger(UInt8(0x80 | 127), at: index) + buffer.setInteger(UInt64(length), at: index + 1)
        }
        buffer.setBytes(key, at: index)
        buffer.moveReaderIndex(to: start)
    }
}
