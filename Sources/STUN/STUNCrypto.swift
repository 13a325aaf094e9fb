import COpenSSL

/// The hashes STUN needs, through OpenSSL: HMAC-SHA1 / HMAC-SHA256 for MESSAGE-INTEGRITY(-SHA256)
/// and MD5 for the long-term credential key (RFC 8489 §9.2.2).
public enum STUNCrypto {
    /// HMAC-SHA1 of `data` under `key` (20 bytes).
    public static func hmacSHA1(key: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        hmac(EVP_sha1(), key: key, data: data, size: 20)
    }

    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        hmac(EVP_sha256(), key: key, data: data, size: 32)
    }

    /// MD5 of `data` (16 bytes).
    public static func md5(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        var len: UInt32 = 0
        let ok = data.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { o in
                EVP_Digest(d.baseAddress, d.count, o.baseAddress?.assumingMemoryBound(to: UInt8.self), &len, EVP_md5(), nil)
            }
        }
        precondition(ok == 1 && len == 16, "OpenSSL MD5 failed")
        return out
    }

    private static func hmac(_ md: OpaquePointer?, key: [UInt8], data: ArraySlice<UInt8>, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var len: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    HMAC(md, k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(k.count),
                         d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                         o.baseAddress?.assumingMemoryBound(to: UInt8.self), &len)
                }
            }
        }
        precondition(result != nil && Int(len) == size, "OpenSSL HMAC failed")
        return out
    }
}
