import COpenSSL
import CSHA256
import SyncProtocol

/// SHA-256: streaming through OpenSSL's EVP interface (which uses SHA-NI when the CPU has it);
/// one-shot digests of whole buffers (chunks) through our own SHA-NI code when the CPU has it,
/// which can also hash two chunks at once (``hash(_:_:)``), else through OpenSSL.
public final class SHA256Hasher {
    private let ctx: OpaquePointer

    /// A fresh hasher.
    public init() {
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed (out of memory)") }
        self.ctx = ctx
        reset()
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// Starts over.
    public func reset() {
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else { preconditionFailure("EVP_DigestInit_ex(sha256) failed") }
    }

    /// Feeds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        _ = EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count)
    }

    /// Feeds bytes.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest of everything fed since the last reset; the hasher is reset afterwards.
    public func finish() -> ContentHash {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(ctx, &out, &length)
        reset()
        return ContentHash(bytes: out) ?? .zero
    }

    /// 32 bytes of digest output.
    private typealias Digest = (UInt64, UInt64, UInt64, UInt64)

    /// True when the CPU has SHA-NI (one-shot digests then use `CSHA256`, else OpenSSL).
    public static let hardware = peersync_sha256_hw_available() != 0

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> ContentHash {
        var out: Digest = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &out) { o in
            let d = o.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
            if hardware {
                peersync_sha256_hw(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, d)
            } else {
                var length: UInt32 = 0
                _ = EVP_Digest(bytes.baseAddress, bytes.count, d, &length, EVP_sha256(), nil)
            }
            return ContentHash(loadingFrom: UnsafeRawBufferPointer(o), at: 0)
        }
    }

    /// The digests of two buffers; with SHA-NI both are hashed at once (about 1.8 times the
    /// throughput of hashing them one after the other on Zen 3).
    public static func hash(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> (ContentHash, ContentHash) {
        guard hardware else { return (hash(a), hash(b)) }
        var out: (Digest, Digest) = ((0, 0, 0, 0), (0, 0, 0, 0))
        return withUnsafeMutableBytes(of: &out) { o in
            let d = o.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
            peersync_sha256_hw_2x(a.baseAddress?.assumingMemoryBound(to: UInt8.self), a.count, d,
                                  b.baseAddress?.assumingMemoryBound(to: UInt8.self), b.count, d + 32)
            let raw = UnsafeRawBufferPointer(o)
            return (ContentHash(loadingFrom: raw, at: 0), ContentHash(loadingFrom: raw, at: 32))
        }
    }

    /// The digest of `bytes` through OpenSSL (the reference the SHA-NI code is tested against).
    public static func opensslHash(_ bytes: UnsafeRawBufferPointer) -> ContentHash {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, &length, EVP_sha256(), nil)
        return ContentHash(bytes: out) ?? .zero
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> ContentHash { bytes.withUnsafeBytes { hash($0) } }

    /// The digest of `bytes` in one call (a chunk still in the frame that carried it).
    public static func hash(_ bytes: ArraySlice<UInt8>) -> ContentHash { bytes.withUnsafeBytes { hash($0) } }

    /// A whole file's content hash: SHA-256 over the concatenated chunk hashes (so content is hashed once).
    public static func contentHash(of chunks: [ChunkInfo]) -> ContentHash {
        guard !chunks.isEmpty else { return hash([]) }
        var joined = [UInt8]()
        joined.reserveCapacity(chunks.count * 32)
        for c in chunks { joined.append(contentsOf: c.hash.bytes) }
        return hash(joined)
    }
}
