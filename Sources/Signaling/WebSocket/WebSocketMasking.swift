import NIOWebSocket

/// WebSocket masking (RFC 6455 §5.3) eight bytes at a time (NIO's `webSocketMask` goes byte
/// by byte): the rendezvous server unmasks while copying a frame, the load generator masks in
/// place. Masking and unmasking are the same operation.
public enum WebSocketMasking {
    /// Writes `source` XORed with the repeating `key` to `destination` (at least as long; it
    /// may be the same memory as `source`).
    public static func apply(_ key: WebSocketMaskingKey, from source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer) {
        let count = source.count
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        precondition(destination.count >= count, "WebSocketMasking.apply: destination too small")
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { bytes in
            for index in 0..<8 { bytes[index] = key[index % 4] }
        }
        var offset = 0
        while count - offset >= 8 {
            let value = input.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ word
            output.storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            output.storeBytes(of: input.load(fromByteOffset: offset, as: UInt8.self) ^ key[offset % 4],
                              toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }
}
