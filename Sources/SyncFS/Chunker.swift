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
    /// Bytes read from the file per call (1 MiB by default: a scan hashes on every core while
    /// the daemon serves chunks, and each hashing thread holds `readSize + maxSize`; 4 MiB reads
    /// made those buffers the largest part of the sender's peak RSS for no measurable speed).
    public let readSize: Int
    private let maskSmall: UInt64
    private let maskLarge: UInt64

    /// The default 16/64/256 KiB parameters.
    public static let standard = Chunker(minSize: 16 << 10, averageSize: 64 << 10, maxSize: 256 << 10)

    /// A chunker; `averageSize` must be a power of two between `minSize` and `maxSize`.
    public init(minSize: Int, averageSize: Int, maxSize: Int, readSize: Int = 1 << 20) {
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

    /// Bytes per lane in ``cutPoint(_:)``'s four-lane search.
    static let laneSize = 4096

    /// The length of the first chunk of `data` (all of it when shorter than the minimum).
    ///
    /// Cut points are exactly those of the one-byte definition (``referenceCutPoint(_:)``), found
    /// faster by using the gear hash's window: `fp` is shifted left once per byte, so after 64
    /// bytes the hash no longer depends on where rolling began, only on the last 64 bytes. The first
    /// 63 bytes after the minimum size are rolled from zero as the definition says; from there on,
    /// the search runs four independent lanes over consecutive stretches of ``laneSize`` bytes (each
    /// warmed up over the 64 bytes before it), so four hashes advance per step instead of one
    /// dependent chain. The earliest hit in lane order is the cut.
    public func cutPoint(_ data: UnsafeRawBufferPointer) -> Int {
        let n = min(data.count, maxSize)
        if n <= minSize { return n }
        guard let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return n }
        let normal = min(n, averageSize)
        let limitSmall = ~maskSmall, limitLarge = ~maskLarge
        return Self.gear.withUnsafeBufferPointer { gb -> Int in
            let g = gb.baseAddress.unsafelyUnwrapped
            // The definition's start: rolled from zero at `minSize`.
            var h: UInt64 = 0
            var i = minSize
            let exactEnd = min(n, minSize + 63)
            while i < exactEnd {
                h = (h &<< 1) &+ g[Int(base[i])]
                if h <= (i < normal ? limitSmall : limitLarge) { return i + 1 }
                i += 1
            }
            // From `i` on the hash is the window's: blocks of four lanes.
            while n - i >= 4 * 64 {
                let lane = min(Self.laneSize, (n - i) / 4)
                if let cut = Self.laneSearch(base, g, at: i, lane: lane, normal: normal, small: limitSmall, large: limitLarge) {
                    return cut
                }
                i += 4 * lane
            }
            // The last few bytes, one at a time (warmed up over the 64 before `i`).
            if i < n {
                h = 0
                for k in (i - 64)..<i { h = (h &<< 1) &+ g[Int(base[k])] }
                while i < n {
                    h = (h &<< 1) &+ g[Int(base[i])]
                    if h <= (i < normal ? limitSmall : limitLarge) { return i + 1 }
                    i += 1
                }
            }
            return n
        }
    }

    /// Searches `bytes[at ..< at + 4 * lane]` as four lanes of `lane` bytes; returns the cut after
    /// the first byte (in position order) whose window hash passes its mask (`small` before
    /// `normal`, `large` after), or nil. Needs the 64 bytes before `at`.
    @inline(__always)
    static func laneSearch(_ bytes: UnsafePointer<UInt8>, _ g: UnsafePointer<UInt64>, at i: Int, lane: Int,
                           normal: Int, small: UInt64, large: UInt64) -> Int? {
        let q0 = bytes + (i - 64), q1 = q0 + lane, q2 = q1 + lane, q3 = q2 + lane
        var h0: UInt64 = 0, h1: UInt64 = 0, h2: UInt64 = 0, h3: UInt64 = 0
        var first = (Int.max, Int.max, Int.max)   // lanes 1–3: their first hit (lane 0's ends the search)
        var k = 0
        let end = lane + 64
        while k < end {
            // Steps until some lane's hash passes the easier mask (rare: about once per 16 KiB per
            // lane), two bytes per iteration (one loop test per eight hashes).
            while true {
                if k &+ 1 >= end {
                    if k < end {
                        h0 = (h0 &<< 1) &+ g[Int(q0[k])]
                        h1 = (h1 &<< 1) &+ g[Int(q1[k])]
                        h2 = (h2 &<< 1) &+ g[Int(q2[k])]
                        h3 = (h3 &<< 1) &+ g[Int(q3[k])]
                        k &+= 1
                    }
                    break
                }
                h0 = (h0 &<< 1) &+ g[Int(q0[k])]
                h1 = (h1 &<< 1) &+ g[Int(q1[k])]
                h2 = (h2 &<< 1) &+ g[Int(q2[k])]
                h3 = (h3 &<< 1) &+ g[Int(q3[k])]
                if h0 <= large || h1 <= large || h2 <= large || h3 <= large { k &+= 1; break }
                h0 = (h0 &<< 1) &+ g[Int(q0[k &+ 1])]
                h1 = (h1 &<< 1) &+ g[Int(q1[k &+ 1])]
                h2 = (h2 &<< 1) &+ g[Int(q2[k &+ 1])]
                h3 = (h3 &<< 1) &+ g[Int(q3[k &+ 1])]
                k &+= 2
                if h0 <= large || h1 <= large || h2 <= large || h3 <= large { break }
            }
            guard k > 64 else { continue }   // still warming up: the hashes are not the window's yet
            let at = i + k - 65   // lane 0's last byte
            if h0 <= (at < normal ? small : large) { return at + 1 }
            if first.0 == Int.max && h1 <= (at + lane < normal ? small : large) { first.0 = at + lane }
            if first.1 == Int.max && h2 <= (at + 2 * lane < normal ? small : large) { first.1 = at + 2 * lane }
            if first.2 == Int.max && h3 <= (at + 3 * lane < normal ? small : large) { first.2 = at + 3 * lane }
        }
        let best = min(first.0, min(first.1, first.2))
        return best == Int.max ? nil : best + 1
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

    /// The chunks of an in-memory buffer (hashed two at a time, SHA-NI interleaved).
    public func chunks(of data: [UInt8]) -> [ChunkInfo] {
        data.withUnsafeBytes { chunks(of: $0) }
    }

    /// ``chunks(of:)-([UInt8])`` of bytes in place.
    public func chunks(of data: UnsafeRawBufferPointer) -> [ChunkInfo] {
        chunks(of: data, UnsafeRawBufferPointer(start: nil, count: 0)).0
    }

    /// The chunks of two in-memory buffers, exactly those ``chunks(of:)-([UInt8])`` gives for
    /// each, with the chunks of both hashed two at a time (SHA-NI interleaved): two small files
    /// of one chunk each (most of a folder's files) hash at the speed of a large file's pairs.
    public func chunks(of a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> ([ChunkInfo], [ChunkInfo]) {
        // Cut both first: (buffer, start, length) of every chunk, a's then b's.
        var pieces: [(inB: Bool, start: Int, count: Int)] = []
        for (inB, buf) in [(false, a), (true, b)] {
            var pos = 0
            while pos < buf.count {
                let cut = cutPoint(UnsafeRawBufferPointer(rebasing: buf[pos...]))
                pieces.append((inB, pos, cut))
                pos += cut
            }
        }
        func bytes(_ k: Int) -> UnsafeRawBufferPointer {
            let p = pieces[k]
            return UnsafeRawBufferPointer(rebasing: (p.inB ? b : a)[p.start..<(p.start + p.count)])
        }
        var outA: [ChunkInfo] = [], outB: [ChunkInfo] = []
        func add(_ k: Int, _ hash: ContentHash) {
            let info = ChunkInfo(size: UInt32(pieces[k].count), hash: hash)
            if pieces[k].inB { outB.append(info) } else { outA.append(info) }
        }
        var k = 0
        while k + 1 < pieces.count {
            let (h1, h2) = SHA256Hasher.hash(bytes(k), bytes(k + 1))
            add(k, h1); add(k + 1, h2)
            k += 2
        }
        if k < pieces.count { add(k, SHA256Hasher.hash(bytes(k))) }
        return (outA, outB)
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
        try chunks(of: file, from: 0, stoppingAt: nil, sizeHint: sizeHint, buffer: &buffer, visit: visit)
    }

    /// Chunks and hashes a file as if it began at byte `offset` (the first chunk starts there),
    /// stopping after the first chunk that ends at or beyond `stop` (or at the end of the file).
    /// Used to chunk pieces of one large file on several threads (``ParallelHasher``): cut points
    /// depend only on the content from the previous cut, so a piece started at an arbitrary offset
    /// meets the file's own cuts again after a cut they share.
    public func chunks(of file: any ReadableFile, from offset: UInt64, stoppingAt stop: UInt64?, sizeHint: UInt64? = nil,
                       buffer: inout [UInt8],
                       visit: ((ChunkInfo, UInt64, UnsafeRawBufferPointer) -> Void)? = nil) throws(FileSystemError) -> [ChunkInfo] {
        let fullSize = readSize + maxSize
        let wanted = sizeHint.map { Int(min(UInt64(fullSize), $0 + 1)) } ?? fullSize
        if buffer.count < wanted { buffer = [UInt8](repeating: 0, count: wanted) }
        var start = 0, end = 0
        var fileOffset = offset   // file offset of buffer[end]
        var chunkOffset = offset
        var eof = false
        var out: [ChunkInfo] = []
        while stop.map({ chunkOffset < $0 }) ?? true {
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
                        buffer.reserveCapacity(fullSize)   // exactly: append alone may double the capacity
                        buffer.append(contentsOf: repeatElement(0, count: fullSize - buffer.count))
                    }
                }
            }
            if start == end { break }
            buffer.withUnsafeBytes { b in
                let cut = cutPoint(UnsafeRawBufferPointer(rebasing: b[start..<end]))
                let piece = UnsafeRawBufferPointer(rebasing: b[start..<(start + cut)])
                let next = start + cut
                // A second chunk whose cut is final (a whole max-size window, or the end of the
                // file, is in the buffer) is hashed together with the first (SHA-NI interleaved).
                if next < end && (eof || end - next >= maxSize) {
                    let cut2 = cutPoint(UnsafeRawBufferPointer(rebasing: b[next..<end]))
                    let piece2 = UnsafeRawBufferPointer(rebasing: b[next..<(next + cut2)])
                    let (h1, h2) = SHA256Hasher.hash(piece, piece2)
                    let info = ChunkInfo(size: UInt32(cut), hash: h1), info2 = ChunkInfo(size: UInt32(cut2), hash: h2)
                    visit?(info, chunkOffset, piece)
                    visit?(info2, chunkOffset + UInt64(cut), piece2)
                    out.append(info)
                    out.append(info2)
                    chunkOffset += UInt64(cut + cut2)
                    start = next + cut2
                } else {
                    let info = ChunkInfo(size: UInt32(cut), hash: SHA256Hasher.hash(piece))
                    visit?(info, chunkOffset, piece)
                    out.append(info)
                    chunkOffset += UInt64(cut)
                    start = next
                }
            }
        }
        return out
    }
}
