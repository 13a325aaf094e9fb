import COpenSSL

/// The hashes STUN needs, through OpenSSL: HMAC-SHA1 / HMAC-SHA256 for MESSAGE-INTEGRITY(-SHA256)
/// and MD5 for the long-term credential key (RFC 8489 §9.2.2).
///
/// HMAC (RFC 2104) is composed from digests of explicitly fetched `EVP_MD`s: OpenSSL 3's one-shot
/// `HMAC()` fetches its algorithms by name on every call (ice-bench: 60k → 82k signed messages/s).
public enum STUNCrypto {
    /// HMAC-SHA1 of `data` under `key` (20 bytes).
    public static func hmacSHA1(key: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        hmac(FetchedDigest.sha1, key: key, data: data)
    }

    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        hmac(FetchedDigest.sha256, key: key, data: data)
    }

    /// MD5 of `data` (16 bytes).
    public static func md5(_ data: [UInt8]) -> [UInt8] {
        digest(FetchedDigest.md5, data[...])
    }

    private static func digest(_ md: FetchedDigest, _ parts: ArraySlice<UInt8>...) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL: out of memory") }
        defer { EVP_MD_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: md.size)
        var length: UInt32 = 0
        var ok = EVP_DigestInit_ex2(ctx, md.pointer, nil)
        for part in parts {
            ok &= part.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        }
        ok &= out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) }
        precondition(ok == 1 && Int(length) == md.size, "OpenSSL digest failed")
        return out
    }

    private static func hmac(_ md: FetchedDigest, key: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        let block = 64  // SHA-1 and SHA-256 block size
        var k = key.count > block ? digest(md, key[...]) : key
        k += [UInt8](repeating: 0, count: block - k.count)
        let inner = digest(md, k.map { $0 ^ 0x36 }[...], data)
        return digest(md, k.map { $0 ^ 0x5C }[...], inner[...])
    }
}

/// An `EVP_MD` fetched once from the default provider.
final class FetchedDigest: @unchecked Sendable {
    // @unchecked: an EVP_MD is immutable after fetching and OpenSSL documents fetched algorithm
    // objects as safe to use from several threads at once; it is never freed (process lifetime).
    let pointer: OpaquePointer
    let size: Int

    private init(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else { preconditionFailure("OpenSSL has no \(name)") }
        pointer = md
        size = Int(EVP_MD_get_size(md))
    }

    static let sha1 = FetchedDigest("SHA1")
    static let sha256 = FetchedDigest("SHA256")
    static let md5 = FetchedDigest("MD5")
}
