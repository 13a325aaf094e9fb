import CZstd
import Synchronization

/// A few zstd compression and decompression contexts kept for reuse.
///
/// `ZSTD_compress` and `ZSTD_decompress` make and free a whole context per call: for a chunk of
/// a few KiB that allocation and table setup costs more than the compression itself. Callers
/// borrow a context for one call; at most ``keep`` of each kind are kept (the folder threads
/// and the serve path seldom compress more than two chunks at once), extra ones are freed.
enum ZstdContexts {
    /// Most idle contexts of each kind kept; each holds tables sized for the largest input it saw.
    static let keep = 2

    /// Idle contexts by address (plain integers cross the lock; the pointers are not `Sendable`).
    private struct Idle: ~Copyable {
        var compression: [Int] = []
        var decompression: [Int] = []
    }

    private static let idle = Mutex(Idle())

    /// Runs `body` with a compression context (made when none is idle), then keeps or frees it.
    static func withCompressionContext<R>(_ body: (OpaquePointer) -> R) -> R? {
        guard let cctx = idle.withLock({ $0.compression.popLast() }).flatMap(OpaquePointer.init(bitPattern:)) ?? ZSTD_createCCtx() else { return nil }
        let result = body(cctx)
        let address = Int(bitPattern: cctx)
        let kept = idle.withLock { s in
            guard s.compression.count < keep else { return false }
            s.compression.append(address)
            return true
        }
        if !kept { ZSTD_freeCCtx(cctx) }
        return result
    }

    /// Runs `body` with a decompression context (made when none is idle), then keeps or frees it.
    static func withDecompressionContext<R>(_ body: (OpaquePointer) -> R) -> R? {
        guard let dctx = idle.withLock({ $0.decompression.popLast() }).flatMap(OpaquePointer.init(bitPattern:)) ?? ZSTD_createDCtx() else { return nil }
        let result = body(dctx)
        let address = Int(bitPattern: dctx)
        let kept = idle.withLock { s in
            guard s.decompression.count < keep else { return false }
            s.decompression.append(address)
            return true
        }
        if !kept { ZSTD_freeDCtx(dctx) }
        return result
    }

    /// How many contexts of each kind are idle (for tests).
    static var idleCounts: (compression: Int, decompression: Int) {
        idle.withLock { ($0.compression.count, $0.decompression.count) }
    }
}
