import COpenSSL
import DTLS

/// Checks an `auth` proof: parses the key material, requires ECDSA P-256, verifies the
/// ECDSA-SHA256 signature over the authentication transcript, and names the device.
///
/// Pure function of its inputs (OpenSSL is only used for parsing and arithmetic).
public enum AuthVerifier {
    /// Why a proof was refused.
    public enum Failure: Error, Equatable, Sendable {
        /// The certificate or public key does not parse, or is not an ECDSA P-256 key.
        case unknownFormat(String)
        /// The key is fine but the signature does not verify over this transcript.
        case badSignature
    }

    /// The device ID the proof authenticates, or why it does not.
    public static func verify(_ proof: AuthProof, transcript: [UInt8]) -> Result<DeviceID, Failure> {
        defer { ERR_clear_error() }
        let der: [UInt8]
        switch proof.signatureFormat {
        case .der:
            der = proof.signature
        case .raw:
            guard let converted = derSignature(fromRaw: proof.signature) else { return .failure(.badSignature) }
            der = converted
        }
        switch proof.credential {
        case .certificate(let certificate):
            guard let cert = parseCertificate(certificate) else { return .failure(.unknownFormat("not a DER X.509 certificate")) }
            defer { X509_free(cert) }
            guard let key = X509_get0_pubkey(cert), isP256(key) else {
                return .failure(.unknownFormat("the certificate's key is not ECDSA P-256"))
            }
            guard DeviceIdentity.verify(signature: der, data: transcript, certificateDER: certificate) else {
                return .failure(.badSignature)
            }
            return .success(DeviceID(certificateDER: certificate))
        case .publicKey(let spki):
            guard let key = parsePublicKey(spki) else { return .failure(.unknownFormat("not a DER SubjectPublicKeyInfo")) }
            defer { EVP_PKEY_free(key) }
            guard isP256(key) else { return .failure(.unknownFormat("the key is not ECDSA P-256")) }
            guard DeviceIdentity.verify(signature: der, data: transcript, publicKey: key) else { return .failure(.badSignature) }
            guard let id = DeviceID(digest: sha256(spki)) else { return .failure(.unknownFormat("digest")) }
            return .success(id)
        }
    }

    /// The device ID of a browser-style client: SHA-256 of its SubjectPublicKeyInfo DER.
    public static func deviceID(publicKeySPKI spki: [UInt8]) -> DeviceID? {
        DeviceID(digest: sha256(spki))
    }

    /// The SubjectPublicKeyInfo DER of a certificate's key; nil when `certificate` does not parse.
    public static func publicKeySPKI(ofCertificate certificate: [UInt8]) -> [UInt8]? {
        guard let cert = parseCertificate(certificate) else { return nil }
        defer { X509_free(cert) }
        guard let key = X509_get0_pubkey(cert) else { return nil }
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        return written == length ? out : nil
    }

    /// Converts a P1363 `r || s` signature (64 bytes) to DER; nil when it is not 64 bytes.
    public static func derSignature(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        let r = BN_bin2bn(raw, 32, nil)
        let s = Array(raw[32..<64]).withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        guard let r, let s else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        return written == length ? out : nil
    }

    /// Converts a DER ECDSA P-256 signature to P1363 `r || s` (64 bytes); nil when it does not parse.
    public static func rawSignature(fromDER der: [UInt8]) -> [UInt8]? {
        guard !der.isEmpty else { return nil }
        let sig = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let sig else { return nil }
        defer { ECDSA_SIG_free(sig) }
        var out = [UInt8](repeating: 0, count: 64)
        let ok = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return BN_bn2binpad(ECDSA_SIG_get0_r(sig), base, 32) == 32
                && BN_bn2binpad(ECDSA_SIG_get0_s(sig), base + 32, 32) == 32
        }
        return ok ? out : nil
    }

    // MARK: OpenSSL helpers

    private static func parseCertificate(_ der: [UInt8]) -> OpaquePointer? {
        guard !der.isEmpty else { return nil }
        return der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let cert = d2i_X509(nil, &cursor, buffer.count) else { return nil }
            // Trailing bytes after the certificate are refused: the ID must name exactly one DER.
            guard let cursor, let base = buffer.baseAddress, cursor - base == buffer.count else {
                X509_free(cert)
                return nil
            }
            return cert
        }
    }

    private static func parsePublicKey(_ der: [UInt8]) -> OpaquePointer? {
        guard !der.isEmpty else { return nil }
        return der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let key = d2i_PUBKEY(nil, &cursor, buffer.count) else { return nil }
            guard let cursor, let base = buffer.baseAddress, cursor - base == buffer.count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
    }

    private static func isP256(_ key: OpaquePointer) -> Bool {
        guard EVP_PKEY_is_a(key, "EC") == 1 else { return false }
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else { return false }
        let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return group == "prime256v1" || group == "P-256"
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { EVP_Digest($0.baseAddress, $0.count, &out, &length, EVP_sha256(), nil) }
        guard ok == 1, length == 32 else { preconditionFailure("SHA-256 of an in-memory buffer failed") }
        return out
    }
}
