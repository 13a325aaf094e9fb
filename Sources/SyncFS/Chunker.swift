import SyncProtocol

/// Content-defined chunking (FastCDC with normalised chunking, level 2).
///
/// A gear rolling hash picks cut points from the content itself, so inserting bytes in the
/// middle of a file changes only the chunks around the insert. Sizes are bounded by
/// ``minSize``/``maxSize`` and centred on ``averageSize``. Files are read in ``readSize`` pieces:
/// memory use is bounded by about `readSize + maxSize` whatever the file size.
public struct Chunker: Sendable {
    /// Smallest chunk (except a file's last).
    public let minSize: Int
    /// Target average chunk size (a power of two).
    public let averageSize: Int
    /// Largest chunk.
    public let maxSize: Int
    /// Bytes read from the file per call.
    public let readSize: Int
    private let maskSmall: UInt64
    private let maskLarge: UInt64

    /// The default 16/64/256 KiB parameters.
    public static let standard = Chunker(minSize: 16 << 10, averageSize: 64 << 10, maxSize: 256 << 10)

    /// A chunker; `averageSize` must be a power of two between `minSize` and `maxSize`.
    public init(minSize: Int, averageSize: Int, maxSize: Int, readSize: Int = 4 << 20) {
        precondition(minSize > 0 && minSize < averageSize && averageSize < maxSize, "chunk sizes must be min < avg < max")
        precondition(averageSize & (averageSize - 1) == 0, "average chunk size must be a power of two")
        self.minSize = minSize; self.averageSize = averageSize; self.maxSize = maxSize
        self.readSize = max(readSize, maxSize)
        let bits = averageSize.trailingZeroBitCount
        // Normalised chunking: a harder mask before the average, an easier one after it.
        // Masks take the hash's top bits, which depend on the last 64 bytes (the gear window).
        maskSmall = ~UInt64(0) << UInt64(64 - (bits + 2))
        maskLarge = ~UInt64(0) << UInt64(64 - (bits - 2))
    }

    /// The gear table: 256 fixed pseudo-random words (SplitMix64 from a constant seed), the same on every device.
    static let gear: [UInt64] = {
        var state: UInt64 = 0x5045_4552_5359_4E43  // "PEERSYNC"
        return (0..<256).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }()

    /// The length of the first chunk of `data` (all of it when shorter than the minimum).
    ///
    /// The gear hash is rolled four bytes per step: with `t = (g[b₀] << 2) + (g[b₁] << 1) + g[b₂]`,
    /// `fp₄ = (fp << 4) + (t << 1) + g[b₃]` depends on `fp` through one shift and one add, and the
    /// three intermediate values (`(fp << 1) + g[b₀]`, …) are computed beside it from the same `fp`,
    /// so the serial chain is a quarter of rolling byte by byte. Every intermediate value is still
    /// tested, so cut points are exactly those of the one-byte definition (``referenceCutPoint(_:)``).
    public func cutPoint(_ data: UnsafeRawBufferPointer) -> Int {
        let n = min(data.count, maxSize)
        if n <= minSize { return n }
        let normal = min(n, averageSize)
        let bytes = data.bindMemory(to: UInt8.self)
        return Self.gear.withUnsafeBufferPointer { g -> Int in
            var fp: UInt64 = 0
            var i = minSize
            if let cut = Self.scan(bytes, g, from: &i, to: normal, mask: maskSmall, fp: &fp) { return cut }
            if let cut = Self.scan(bytes, g, from: &i, to: n, mask: maskLarge, fp: &fp) { return cut }
            return n
        }
    }

    /// Rolls the gear hash over `bytes[i..<end]`; returns the cut after the first byte whose hash
    /// has none of `mask`'s bits set, or nil with `i == end` and `fp` updated.
    ///
    /// `mask` is a run of top bits, so "no bit of `mask` set" is "at most `~mask`": the four
    /// intermediate hashes of a step are tested with one comparison of their minimum.
    @inline(__always)
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ g: UnsafeBufferPointer<UInt64>, from i: inout Int, to end: Int,
                     mask: UInt64, fp: inout UInt64) -> Int? {
        let limit = ~mask
        var h = fp
        var k = i
        while k + 3 < end {
            let g0 = g[Int(bytes[k])], g1 = g[Int(bytes[k + 1])], g2 = g[Int(bytes[k + 2])], g3 = g[Int(bytes[k + 3])]
            let t = (g0 << 2) &+ (g1 << 1) &+ g2
            let h1 = (h << 1) &+ g0
            let h2 = (h << 2) &+ ((g0 << 1) &+ g1)
            let h3 = (h << 3) &+ t
            let h4 = (h << 4) &+ ((t << 1) &+ g3)
            if _slowPath(min(min(h1, h2), min(h3, h4)) <= limit) {
                return h1 <= limit ? k + 1 : h2 <= limit ? k + 2 : h3 <= limit ? k + 3 : k + 4
            }
            h = h4
            k += 4
        }
        while k < end {
            h = (h << 1) &+ g[Int(bytes[k])]
            if h <= limit { return k + 1 }
            k += 1
        }
        i = k
        fp = h
        return nil
    }

    /// The one-byte-at-a-time definition of ``cutPoint(_:)`` (tests check the two agree).
    public func referenceCutPoint(_ data: UnsafeRawBufferPointer) -> Int {
        let n = min(data.count, maxSize)
        if n <= minSize { return n }
        let normal = min(n, averageSize)
        var fp: UInt64 = 0
        var i = minSize
        let bytes = data.bindMemory(to: UInt8.self)
        while i < normal {
            fp = (fp << 1) &+ Self.gear[Int(bytes[i])]
            if fp & maskSmall == 0 { return i + 1 }
            i += 1
        }
        while i < n {
            fp = (fp << 1) &+ Self.gear[Int(bytes[i])]
            if fp & maskLarge == 0 { return i + 1 }
            i += 1
        }
        return n
    }

    /// The chunks of an in-memory buffer.
    public func chunks(of data: [UInt8]) -> [ChunkInfo] {
        data.withUnsafeBytes { buf in
            var out: [ChunkInfo] = []
            var pos = 0
            while pos < buf.count {
                let rest = UnsafeRawBufferPointer(rebasing: buf[pos...])
                let cut = cutPoint(rest)
                out.append(ChunkInfo(size: UInt32(cut), hash: SHA256Hasher.hash(UnsafeRawBufferPointer(rebasing: rest[..<cut]))))
                pos += cut
            }
            return out
        }
    }

    /// Chunks and hashes a file, streaming; `visit` sees each chunk's bytes (for dedup or copying) if given.
    /// `sizeHint` (the size lstat reported) keeps the buffer small for small files; it grows if the file is larger.
    public func chunks(of file: any ReadableFile, sizeHint: UInt64? = nil,
                       visit: ((ChunkInfo, UInt64, UnsafeRawBufferPointer) -> Void)? = nil) throws(FileSystemError) -> [ChunkInfo] {
        var buffer: [UInt8] = []
        return try chunks(of: file, sizeHint: sizeHint, buffer: &buffer, visit: visit)
    }

    /// Chunks and hashes a file like ``chunks(of:sizeHint:visit:)``, reading through `buffer`,
    /// which is grown as needed and kept for the next file (one allocation per thread, not per file).
    public func chunks(of file: any ReadableFile, sizeHint: UInt64? = nil, buffer: inout [UInt8],
                       visit: ((ChunkInfo, UInt64, UnsafeRawBufferPointer) -> Void)? = nil) throws(FileSystemError) -> [ChunkInfo] {
        let fullSize = readSize + maxSize
        let wanted = sizeHint.map { Int(min(UInt64(fullSize), $0 + 1)) } ?? fullSize
        if buffer.count < wanted { buffer = [UInt8](repeating: 0, count: wanted) }
        var start = 0, end = 0
        var fileOffset: UInt64 = 0   // file offset of buffer[end]
        var chunkOffset: UInt64 = 0
        var eof = false
        var out: [ChunkInfo] = []
        while true {
            if !eof && end - start < maxSize {
                if start > 0 {
                    buffer.withUnsafeMutableBytes { b in
                        guard let base = b.baseAddress else { return }
                        base.copyMemory(from: base + start, byteCount: end - start)
                    }
                    end -= start; start = 0
                }
                while !eof && end < buffer.count {
                    let n = try buffer.withUnsafeMutableBytes { b in
                        Result { () throws(FileSystemError) -> Int in
                            try file.read(at: fileOffset, into: UnsafeMutableRawBufferPointer(rebasing: b[end...]))
                        }
                    }.get()
                    if n == 0 { eof = true } else { end += n; fileOffset += UInt64(n) }
                    if end == buffer.count && buffer.count < fullSize {
                        buffer.append(contentsOf: repeatElement(0, count: fullSize - buffer.count))
                    }
                }
            }
            if start == end { break }
            buffer.withUnsafeBytes { b in
                let rest = UnsafeRawBufferPointer(rebasing: b[start..<end])
                let cut = cutPoint(rest)
                let piece = UnsafeRawBufferPointer(rebasing: rest[..<cut])
                let info = ChunkInfo(size: UInt32(cut), hash: SHA256Hasher.hash(piece))
                visit?(info, chunkOffset, piece)
                out.append(info)
                chunkOffset += UInt64(cut)
                start += cut
            }
        }
        return out
    }
}
