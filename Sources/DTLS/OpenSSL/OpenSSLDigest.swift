import COpenSSL

/// Message digests computed by OpenSSL's EVP interface (SHA-256 uses SHA-NI where present).
enum OpenSSLDigest {
    /// The SHA-256 digest of `bytes` (32 bytes).
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        digest(bytes, EVP_sha256(), length: 32)
    }

    /// The digest of `bytes` with `md`, whose output is `length` bytes long.
    static func digest(_ bytes: [UInt8], _ md: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { input in
            EVP_Digest(input.baseAddress, input.count, &out, &outLength, md, nil)
        }
        guard ok == 1, Int(outLength) == length else {
            preconditionFailure("EVP_Digest failed for an in-memory buffer: \(OpenSSLErrorQueue.drain())")
        }
        return Array(out.prefix(length))
    }
}

/// Reads (and clears) OpenSSL's thread-local error queue, for messages in typed errors (DTLS's
/// and the rendezvous client's TLS).
public enum OpenSSLErrorQueue {
    /// All pending OpenSSL errors as one line of text, oldest first; empty when none are queued.
    public static func drain() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            parts.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }

    /// Drops any pending errors, so the next call's errors are its own (`SSL_get_error` needs
    /// an empty queue). Peeking first keeps the common, empty case cheap on the data path.
    public static func clear() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }
}
