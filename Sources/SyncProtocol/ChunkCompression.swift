import CZstd

/// zstd compression of chunk data: used only when it saves at least 10 %, and decompression
/// is capped at the size the peer announced (a zstd bomb fails instead of allocating).
public enum ChunkCompression {
    /// zstd level used for chunk responses (level 1 runs at ~300+ MB/s here).
    public static let level: Int32 = 1

    /// Bytes of each sample tried before compressing a large chunk whole.
    static let sampleSize = 4096

    /// Bytes of each sample whose byte histogram is looked at before any compression is tried.
    static let histogramSampleSize = 1024

    /// A sample counts as incompressible when the chance that two of its bytes (two different
    /// positions) are equal is at most 1 in 181 (2^-7.5): its collision (Rényi order-2) entropy
    /// is at least 7.5 bits per byte, so its Shannon entropy is too, and order-0 coding could
    /// not get below ~94 %. Uniformly random bytes are at 1 in 256 (a 1 KiB sample estimates
    /// that within ~2 %); only long repeats of high-entropy bytes could still reach the 90 % that
    /// compression must pay, and such data is rare next to media, archives and encrypted files.
    static let incompressibleCollisionInverse = 181

    /// The compressed bytes when they are at most 90 % of `data`, nil otherwise (or for tiny inputs).
    ///
    /// Two cheap checks come first. The byte histograms of two 1 KiB samples (the start and the
    /// middle) are looked at: when both are as flat as random data's, the chunk is sent raw
    /// without calling zstd at all (a chunk below the zstd sampling size was compressed whole
    /// in vain: ~6 % of a sender's CPU on incompressible small files). Then a chunk of more
    /// than four samples is tried by two zstd samples (its start and its middle): when neither
    /// shrinks to 90 %, the chunk is sent raw without compressing it whole.
    public static func compressIfWorthwhile(_ data: [UInt8]) -> [UInt8]? {
        data.withUnsafeBytes { compressIfWorthwhile($0) }
    }

    /// ``compressIfWorthwhile(_:)-([UInt8])`` on bytes in place (a chunk read straight into the
    /// frame that carries it).
    public static func compressIfWorthwhile(_ data: UnsafeRawBufferPointer) -> [UInt8]? {
        guard data.count >= 128 else { return nil }
        guard !looksIncompressible(data) else { return nil }
        if data.count > 4 * sampleSize {
            let middle = data.count / 2
            guard compressed(data, 0..<sampleSize) != nil || compressed(data, middle..<middle + sampleSize) != nil else { return nil }
        }
        return compressed(data, 0..<data.count)
    }

    /// True when the start and (for inputs of two samples or more) the middle of `data` both
    /// have a byte histogram as flat as random data's (see ``incompressibleCollisionInverse``).
    static func looksIncompressible(_ data: [UInt8]) -> Bool {
        data.withUnsafeBytes { looksIncompressible($0) }
    }

    static func looksIncompressible(_ data: UnsafeRawBufferPointer) -> Bool {
        guard isFlat(data, 0..<min(histogramSampleSize, data.count)) else { return false }
        guard data.count >= 2 * histogramSampleSize else { return true }
        let middle = data.count / 2
        return isFlat(data, middle..<middle + histogramSampleSize)
    }

    /// Whether equal byte pairs in `data[range]` are at most 1 in ``incompressibleCollisionInverse``:
    /// Σ c·(c−1) over the byte counts c, against n·(n−1).
    ///
    /// The counts live on the stack (an array of them was a heap allocation per sample, for
    /// every chunk served), and the pairs are summed as the bytes are counted: a byte seen for
    /// the c-th time makes c−1 new pairs, so Σ c·(c−1)/2 is the sum of the counts before each
    /// increment.
    static func isFlat(_ data: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return true }
        let pairs = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256) { counts -> Int in
            counts.initialize(repeating: 0)
            var halfPairs = 0
            for i in range {
                let b = Int(data[i])
                halfPairs &+= Int(counts[b])
                counts[b] &+= 1
            }
            return 2 * halfPairs
        }
        let n = range.count
        return pairs * incompressibleCollisionInverse <= n * (n - 1)
    }

    /// `data[range]` compressed, when that is at most 90 % of its size; nil otherwise.
    static func compressed(_ data: UnsafeRawBufferPointer, _ range: Range<Int>) -> [UInt8]? {
        let bound = ZSTD_compressBound(range.count)
        var worthwhile = false
        let out = [UInt8](unsafeUninitializedCapacity: bound) { dst, count in
            let written = ZstdContexts.compression.with { cctx in
                ZSTD_compressCCtx(cctx, dst.baseAddress, bound, data.baseAddress.map { $0 + range.lowerBound }, range.count, level)
            } ?? -1   // no context (out of memory): an error code, so the chunk goes raw
            worthwhile = ZSTD_isError(written) == 0 && written <= range.count - range.count / 10
            count = worthwhile ? written : 0
        }
        return worthwhile ? out : nil
    }

    /// Decompresses one zstd frame that must expand to exactly `announcedSize` bytes.
    ///
    /// The output buffer is `announcedSize` long (which the caller has already capped), so a
    /// frame that would expand further fails inside zstd without writing past it.
    public static func decompress(_ payload: [UInt8], announcedSize: Int) throws(SyncProtocolParseError) -> [UInt8] {
        try payload.withUnsafeBytes { p in Result { () throws(SyncProtocolParseError) in try decompress(p, announcedSize: announcedSize) } }.get()
    }

    /// ``decompress(_:announcedSize:)-([UInt8],_)`` of bytes in place (the payload within its frame).
    public static func decompress(_ payload: UnsafeRawBufferPointer, announcedSize: Int) throws(SyncProtocolParseError) -> [UInt8] {
        guard announcedSize >= 0, announcedSize <= FrameLimits.maxChunkBytes else {
            throw .limitExceeded("announced \(announcedSize) bytes")
        }
        let frameSize = ZSTD_findFrameCompressedSize(payload.baseAddress, payload.count)
        guard ZSTD_isError(frameSize) == 0, frameSize == payload.count else {
            throw .decompression("not exactly one zstd frame")
        }
        let content = ZSTD_getFrameContentSize(payload.baseAddress, payload.count)
        if content != CShim_ZSTD_CONTENTSIZE_UNKNOWN() {
            guard content == UInt64(announcedSize) else {
                throw .decompression("frame says \(content) bytes, announced \(announcedSize)")
            }
        }
        var out = [UInt8](repeating: 0, count: max(announcedSize, 1))
        let produced = out.withUnsafeMutableBytes { dst in
            ZstdContexts.decompression.with { dctx in
                ZSTD_decompressDCtx(dctx, dst.baseAddress, announcedSize, payload.baseAddress, payload.count)
            }
        }
        guard let produced else { throw .decompression("no memory for a zstd context") }
        guard ZSTD_isError(produced) == 0 else {
            throw .decompression(String(cString: ZSTD_getErrorName(produced)))
        }
        guard produced == announcedSize else { throw .decompression("produced \(produced) of \(announcedSize) bytes") }
        out.removeSubrange(announcedSize...)
        return out
    }
}
