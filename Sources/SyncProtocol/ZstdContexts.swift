import CZstd
import Synchronization

/// A few zstd contexts of one kind (compression or decompression) kept for reuse.
///
/// `ZSTD_compress` and `ZSTD_decompress` make and free a whole context per call: for a chunk of
/// a few KiB that allocation and table setup cost as much as the compression itself. Callers
/// borrow a context for one call; at most ``keep`` are kept idle (the folder threads and the
/// serve path seldom compress more than two chunks at once), extra ones are freed.
final class ZstdContexts: Sendable {
    /// Most idle contexts kept; each holds tables sized for the largest input it saw.
    static let keep = 2

    /// Compression contexts (`ZSTD_CCtx`).
    static let compression = ZstdContexts(make: { ZSTD_createCCtx() }, free: { _ = ZSTD_freeCCtx($0) })
    /// Decompression contexts (`ZSTD_DCtx`).
    static let decompression = ZstdContexts(make: { ZSTD_createDCtx() }, free: { _ = ZSTD_freeDCtx($0) })

    private let make: @Sendable () -> OpaquePointer?
    private let free: @Sendable (OpaquePointer) -> Void
    /// Idle contexts by address (plain integers cross the lock; the pointers are not `Sendable`).
    private let idle = Mutex<[Int]>([])

    private init(make: @escaping @Sendable () -> OpaquePointer?, free: @escaping @Sendable (OpaquePointer) -> Void) {
        self.make = make
        self.free = free
    }

    /// Runs `body` with a context (an idle one, or a new one), then keeps or frees it; nil when
    /// no context could be made (out of memory).
    func with<R>(_ body: (OpaquePointer) -> R) -> R? {
        guard let context = idle.withLock({ $0.popLast() }).flatMap(OpaquePointer.init(bitPattern:)) ?? make() else { return nil }
        let result = body(context)
        let address = Int(bitPattern: context)
        let kept = idle.withLock { contexts in
            guard contexts.count < Self.keep else { return false }
            contexts.append(address)
            return true
        }
        if !kept { free(context) }
        return result
    }

    /// How many contexts are idle (for tests).
    var idleCount: Int { idle.withLock { $0.count } }
}
