/// A chunk response frame built around its payload: the chunk is written straight into the
/// frame's bytes, so a served chunk is not copied again by ``SyncFrame/encode()``.
extension ChunkResponse {
    /// Bytes of a response frame before its payload: the frame header, request ID (4),
    /// status (1), encoding (1) and raw size (4).
    public static let framePrefixBytes = SyncFrame.headerBytes + 10

    /// The bytes of `SyncFrame.response(ChunkResponse(requestID:status: .ok, data:))` for a
    /// chunk of `size` bytes that `fill` writes into the frame in place, or nil when `fill`
    /// returns false (it could not read or verify the bytes). `fill` returns true only when it
    /// has written every byte of the buffer it is given.
    ///
    /// The wire bytes equal ``SyncFrame/encode()``'s: a chunk that compresses (see
    /// ``ChunkCompression/compressIfWorthwhile(_:)-([UInt8])``) is sent as zstd, its
    /// compressed bytes moved down over the raw ones.
    public static func okFrame(requestID: UInt32, size: Int, fill: (UnsafeMutableRawBufferPointer) -> Bool) -> [UInt8]? {
        let prefix = framePrefixBytes
        var filled = false
        var frame = [UInt8](unsafeUninitializedCapacity: prefix + size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            filled = fill(UnsafeMutableRawBufferPointer(rebasing: raw[prefix...]))
            guard filled else { initialized = 0; return }
            writePrefix(into: raw, requestID: requestID, encoding: .raw, rawSize: size, payloadBytes: size)
            initialized = prefix + size
        }
        guard filled else { return nil }
        let compressed = frame.withUnsafeBytes { ChunkCompression.compressIfWorthwhile(UnsafeRawBufferPointer(rebasing: $0[prefix...])) }
        if let compressed {
            frame.replaceSubrange(prefix..., with: compressed)
            frame.withUnsafeMutableBytes {
                writePrefix(into: $0, requestID: requestID, encoding: .zstd, rawSize: size, payloadBytes: compressed.count)
            }
        }
        return frame
    }

    /// Writes the frame header and the response's fixed fields (status ok) at the start of `frame`.
    static func writePrefix(into frame: UnsafeMutableRawBufferPointer, requestID: UInt32, encoding: Encoding,
                            rawSize: Int, payloadBytes: Int) {
        frame.storeBytes(of: UInt32(framePrefixBytes - 4 + payloadBytes).bigEndian, toByteOffset: 0, as: UInt32.self)
        frame[4] = SyncFrame.version
        frame[5] = SyncFrame.MessageType.response.rawValue
        frame.storeBytes(of: requestID.bigEndian, toByteOffset: 6, as: UInt32.self)
        frame[10] = Status.ok.rawValue
        frame[11] = encoding.rawValue
        frame.storeBytes(of: UInt32(rawSize).bigEndian, toByteOffset: 12, as: UInt32.self)
    }
}
