import COpenSSL

/// The symmetric primitives pairing needs, from OpenSSL libcrypto: SHA-256, HMAC-SHA256,
/// HKDF-SHA256, scrypt, AES-256-GCM, the CSPRNG and a constant-time compare.
enum PairingCrypto {
    /// SHA-256 of `data`.
    static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_Digest(data, data.count, &digest, &length, EVP_sha256(), nil) == 1, length == 32 else {
            preconditionFailure("OpenSSL SHA-256 failed")
        }
        return digest
    }

    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard CShim_HMAC_SHA256(key, key.count, data, data.count, &out) == 1 else {
            preconditionFailure("OpenSSL HMAC-SHA256 failed")
        }
        return out
    }

    /// HKDF-SHA256 (RFC 5869) with an optional salt (empty = none).
    static func hkdfSHA256(ikm: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        guard CShim_HKDF_SHA256(ikm, ikm.count, salt, salt.count, info, info.count, &out, length) == 1 else {
            preconditionFailure("OpenSSL HKDF-SHA256 failed")
        }
        return out
    }

    /// scrypt (RFC 7914).
    static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt32, p: UInt32, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        guard CShim_scrypt(password, password.count, salt, salt.count, n, r, p, &out, length) == 1 else {
            preconditionFailure("OpenSSL scrypt failed")
        }
        return out
    }

    /// AES-256-GCM: ciphertext followed by the 16-byte tag.
    static func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == 12, "AES-256-GCM needs a 32-byte key and a 12-byte nonce")
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: 16)
        guard CShim_AES256GCM_seal(key, nonce, aad, aad.count, plaintext, plaintext.count, &ciphertext, &tag) == 1 else {
            preconditionFailure("OpenSSL AES-256-GCM encryption failed")
        }
        return ciphertext + tag
    }

    /// AES-256-GCM: the plaintext, or nil when the tag does not verify.
    static func open(key: [UInt8], nonce: [UInt8], aad: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        precondition(key.count == 32 && nonce.count == 12, "AES-256-GCM needs a 32-byte key and a 12-byte nonce")
        guard sealed.count >= 16 else { return nil }
        let ciphertext = Array(sealed[..<(sealed.count - 16)])
        let tag = Array(sealed[(sealed.count - 16)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        guard CShim_AES256GCM_open(key, nonce, aad, aad.count, ciphertext, ciphertext.count, tag, &plaintext) == 1 else {
            return nil
        }
        return plaintext
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { preconditionFailure("OpenSSL RAND_bytes failed") }
        return out
    }

    /// Compares in time independent of where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.isEmpty || CRYPTO_memcmp(a, b, a.count) == 0
    }
}
