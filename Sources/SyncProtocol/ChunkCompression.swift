import CZstd

/// zstd compression of chunk data: used only when it saves at least 10 %, and decompression
/// is capped at the size the peer announced (a zstd bomb fails instead of allocating).
public enum ChunkCompression {
    /// zstd level used for chunk responses (level 1 runs at ~300+ MB/s here).
    public static let level: Int32 = 1

    /// Bytes of each sample tried before compressing a large chunk whole.
    static let sampleSize = 4096

    /// The compressed bytes when they are at most 90 % of `data`, nil otherwise (or for tiny inputs).
    ///
    /// A chunk of more than four samples is first tried by two samples (its start and its middle):
    /// when neither shrinks to 90 %, the chunk is sent raw without compressing it whole. File
    /// data that does not compress (media, archives, encrypted files) is mostly so throughout,
    /// and compressing each of its chunks in vain cost the sender ~4 % of its CPU.
    public static func compressIfWorthwhile(_ data: [UInt8]) -> [UInt8]? {
        guard data.count >= 128 else { return nil }
        if data.count > 4 * sampleSize {
            let middle = data.count / 2
            guard compressed(data, 0..<sampleSize) != nil || compressed(data, middle..<middle + sampleSize) != nil else { return nil }
        }
        return compressed(data, 0..<data.count)
    }

    /// `data[range]` compressed, when that is at most 90 % of its size; nil otherwise.
    static func compressed(_ data: [UInt8], _ range: Range<Int>) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(range.count))
        let written = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress.map { $0 + range.lowerBound }, range.count, level)
            }
        }
        guard ZSTD_isError(written) == 0, written <= range.count - range.count / 10 else { return nil }
        out.removeSubrange(written...)
        return out
    }

    /// Decompresses one zstd frame that must expand to exactly `announcedSize` bytes.
    ///
    /// The output buffer is `announcedSize` long (which the caller has already capped), so a
    /// frame that would expand further fails inside zstd without writing past it.
    public static func decompress(_ payload: [UInt8], announcedSize: Int) throws(SyncProtocolParseError) -> [UInt8] {
        guard announcedSize >= 0, announcedSize <= FrameLimits.maxChunkBytes else {
            throw .limitExceeded("announced \(announcedSize) bytes")
        }
        let frameSize = payload.withUnsafeBytes { ZSTD_findFrameCompressedSize($0.baseAddress, $0.count) }
        guard ZSTD_isError(frameSize) == 0, frameSize == payload.count else {
            throw .decompression("not exactly one zstd frame")
        }
        let content = payload.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        if content != CShim_ZSTD_CONTENTSIZE_UNKNOWN() {
            guard content == UInt64(announcedSize) else {
                throw .decompression("frame says \(content) bytes, announced \(announcedSize)")
            }
        }
        var out = [UInt8](repeating: 0, count: max(announcedSize, 1))
        let produced = out.withUnsafeMutableBytes { dst in
            payload.withUnsafeBytes { src in ZSTD_decompress(dst.baseAddress, announcedSize, src.baseAddress, src.count) }
        }
        guard ZSTD_isError(produced) == 0 else {
            throw .decompression(String(cString: ZSTD_getErrorName(produced)))
        }
        guard produced == announcedSize else { throw .decompression("produced \(produced) of \(announcedSize) bytes") }
        out.removeSubrange(announcedSize...)
        return out
    }
}
