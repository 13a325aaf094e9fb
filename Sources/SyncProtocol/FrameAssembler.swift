import WireKit

/// Cuts a byte stream into frames by their length prefix, for transports that do not keep
/// message boundaries. A length above ``FrameLimits/maxFrameBytes`` is refused before buffering.
public struct FrameAssembler: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    /// An empty assembler.
    public init() {}

    /// Bytes buffered but not yet returned as a frame.
    public var bufferedBytes: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        buffer.append(contentsOf: bytes)
    }

    /// The length a frame's 4-byte big-endian prefix at `offset` declares (the prefix not included).
    static func prefixedLength(_ bytes: [UInt8], at offset: Int) -> Int {
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }

    /// True when `data` is exactly one frame: its length prefix covers the rest of it, within
    /// ``FrameLimits/maxFrameBytes`` (a transport that keeps message boundaries can pass such a
    /// message on without buffering it here).
    public static func isWholeFrame(_ data: [UInt8]) -> Bool {
        data.count >= 4 && data.count <= FrameLimits.maxFrameBytes && prefixedLength(data, at: 0) + 4 == data.count
    }

    /// The next complete frame's bytes (prefix included), nil when more input is needed.
    public mutating func nextFrame() throws(SyncProtocolParseError) -> [UInt8]? {
        guard buffer.count - start >= 4 else { return nil }
        let length = Self.prefixedLength(buffer, at: start)
        guard length + 4 <= FrameLimits.maxFrameBytes else { throw .frameTooLarge(length + 4) }
        guard buffer.count - start >= 4 + length else { return nil }
        // A copy of exactly the frame's bytes: `Array(buffer[range])` may share the buffer's
        // storage when the frame is all of it, and every frame queued for the engine would then
        // pin a whole receive buffer (and make the next `append` allocate a new one).
        let frame = [UInt8](unsafeUninitializedCapacity: 4 + length) { out, count in
            buffer.withUnsafeBufferPointer { b in
                _ = out.initialize(from: UnsafeBufferPointer(rebasing: b[start..<(start + 4 + length)]))
            }
            count = 4 + length
        }
        start += 4 + length
        if start > 1 << 20 { buffer.removeSubrange(0..<start); start = 0 }
        return frame
    }
}
