import COpenSSL
import SyncProtocol

/// Streaming SHA-256 through OpenSSL's EVP interface (which uses SHA-NI when the CPU has it).
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

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> ContentHash {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, &length, EVP_sha256(), nil)
        return ContentHash(bytes: out) ?? .zero
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> ContentHash { bytes.withUnsafeBytes { hash($0) } }

    /// A whole file's content hash: SHA-256 over the concatenated chunk hashes (so content is hashed once).
    public static func contentHash(of chunks: [ChunkInfo]) -> ContentHash {
        guard !chunks.isEmpty else { return hash([]) }
        var joined = [UInt8]()
        joined.reserveCapacity(chunks.count * 32)
        for c in chunks { joined.append(contentsOf: c.hash.bytes) }
        return hash(joined)
    }
}
