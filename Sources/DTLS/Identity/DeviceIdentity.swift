#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL

/// The identity of this device: an ECDSA P-256 key and a self-signed X.509 certificate.
///
/// The certificate is the DTLS certificate of every connection this device makes; its
/// SHA-256 is the ``DeviceID`` peers pair with, and the signed-nonce proof the rendezvous
/// server asks for is made with ``sign(_:)``. Generated once per device and kept in a PEM file
/// of mode 0600 (private key first, then certificate) that never leaves the state folder.
///
/// Immutable after creation; OpenSSL key and certificate objects are only read (signing uses
/// a fresh digest context per call), which OpenSSL 3 allows from several threads at once.
/// That is why the class is `@unchecked Sendable`.
public final class DeviceIdentity: @unchecked Sendable {
    /// The private key (`EVP_PKEY *`), owned.
    let privateKey: OpaquePointer
    /// The certificate (`X509 *`), owned.
    let certificate: OpaquePointer

    /// The certificate in DER.
    public let certificateDER: [UInt8]
    /// The device ID: the SHA-256 of ``certificateDER``.
    public let deviceID: DeviceID

    /// Takes ownership of `privateKey` and `certificate`, which must belong together.
    private init(privateKey: OpaquePointer, certificate: OpaquePointer) throws(IdentityError) {
        self.privateKey = privateKey
        self.certificate = certificate
        guard let der = Self.derEncoding(of: certificate) else {
            throw .certificateCreationFailed("i2d_X509: \(OpenSSLErrorQueue.drain())")
        }
        self.certificateDER = der
        self.deviceID = DeviceID(certificateDER: der)
        guard EVP_PKEY_get_base_id(privateKey) == EVP_PKEY_EC, EVP_PKEY_get_bits(privateKey) == 256 else {
            throw .unsupportedKeyType
        }
        guard X509_check_private_key(certificate, privateKey) == 1 else {
            OpenSSLErrorQueue.clear()
            throw .keyDoesNotMatchCertificate
        }
    }

    deinit {
        EVP_PKEY_free(privateKey)
        X509_free(certificate)
    }

    // MARK: Creating

    /// A new identity: a fresh P-256 key and a self-signed certificate with a random 128-bit
    /// serial, valid from a day ago for `validityDays` days (20 years by default).
    public static func generate(commonName: String = "peersync", validityDays: Int = 7300) throws(IdentityError) -> DeviceIdentity {
        OpenSSLErrorQueue.clear()
        guard let key = CShim_generate_ec_p256() else { throw .keyGenerationFailed(OpenSSLErrorQueue.drain()) }
        guard let cert = X509_new() else {
            EVP_PKEY_free(key)
            throw .certificateCreationFailed(OpenSSLErrorQueue.drain())
        }
        guard fillSelfSigned(cert, key: key, commonName: commonName, validityDays: validityDays) else {
            EVP_PKEY_free(key)
            X509_free(cert)
            throw .certificateCreationFailed(OpenSSLErrorQueue.drain())
        }
        return try DeviceIdentity(privateKey: key, certificate: cert)
    }

    /// Reads an identity from PEM text holding a private key and a certificate (any order).
    public convenience init(pem: String) throws(IdentityError) {
        OpenSSLErrorQueue.clear()
        let bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw .invalidPEM("no private key: \(OpenSSLErrorQueue.drain())") }
        let cert: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let cert else {
            EVP_PKEY_free(key)
            throw .invalidPEM("no certificate: \(OpenSSLErrorQueue.drain())")
        }
        try self.init(privateKey: key, certificate: cert)
    }

    /// The identity as PEM text: the PKCS#8 private key, then the certificate.
    public var pemRepresentation: String {
        guard let bio = BIO_new(BIO_s_mem()) else { preconditionFailure("BIO_new(mem) failed") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, privateKey, nil, nil, 0, nil, nil) == 1,
              PEM_write_bio_X509(bio, certificate) == 1 else {
            preconditionFailure("PEM encoding of an in-memory key failed: \(OpenSSLErrorQueue.drain())")
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = CShim_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        let buffer = UnsafeRawBufferPointer(start: data, count: Int(length))
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The fingerprint of the certificate for SDP (`sha-256 AB:CD:…`).
    public var fingerprint: CertificateFingerprint { deviceID.fingerprint }

    /// The certificate's fingerprints, like W3C `RTCCertificate.getFingerprints()`.
    public var fingerprints: [CertificateFingerprint] { [fingerprint] }

    // MARK: Files

    /// Writes the PEM to `path` with mode 0600 (through a temporary file, fsync and rename,
    /// so a crash leaves the old file or the new one).
    public func save(to path: String) throws(IdentityError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .fileSystem(operation: "open", path: temporary, errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        // open() honours the umask and keeps the mode of an existing file: set it explicitly.
        guard fchmod(fd, 0o600) == 0 else { throw .fileSystem(operation: "fchmod", path: temporary, errno: errno) }
        let bytes = Array(pemRepresentation.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(operation: "write", path: temporary, errno: errno)
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw .fileSystem(operation: "fsync", path: temporary, errno: errno) }
        closed = true
        guard close(fd) == 0 else { throw .fileSystem(operation: "close", path: temporary, errno: errno) }
        guard rename(temporary, path) == 0 else { throw .fileSystem(operation: "rename", path: path, errno: errno) }
    }

    /// Reads an identity saved by ``save(to:)``. Refuses a file that group or others can
    /// read or write, like ssh does for private keys.
    public static func load(from path: String) throws(IdentityError) -> DeviceIdentity {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileSystem(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .fileSystem(operation: "fstat", path: path, errno: errno) }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw .insecureFileMode(path: path, mode: mode) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try DeviceIdentity(pem: String(decoding: bytes, as: UTF8.self))
    }

    /// Loads the identity at `path`, or generates one and saves it there when no file exists.
    public static func loadOrGenerate(at path: String) throws(IdentityError) -> DeviceIdentity {
        if access(path, F_OK) == 0 { return try load(from: path) }
        let identity = try generate()
        try identity.save(to: path)
        return identity
    }

    // MARK: Signatures

    /// Signs `data` with the device key: ECDSA over SHA-256, DER-encoded signature.
    public func sign(_ data: [UInt8]) throws(IdentityError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .signingFailed("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, privateKey) == 1 else {
            throw .signingFailed(OpenSSLErrorQueue.drain())
        }
        var length = 0
        var signature = [UInt8](repeating: 0, count: 80)
        length = signature.count
        let ok = data.withUnsafeBufferPointer { input in
            EVP_DigestSign(ctx, &signature, &length, input.baseAddress, input.count)
        }
        guard ok == 1 else { throw .signingFailed(OpenSSLErrorQueue.drain()) }
        return Array(signature.prefix(length))
    }

    /// True when `signature` (DER ECDSA/SHA-256) over `data` was made by the key of the
    /// certificate `certificateDER`. Malformed inputs give false.
    public static func verify(signature: [UInt8], data: [UInt8], certificateDER: [UInt8]) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard let cert = x509(fromDER: certificateDER) else { return false }
        defer { X509_free(cert) }
        guard let key = X509_get0_pubkey(cert) else { return false }
        return verify(signature: signature, data: data, publicKey: key)
    }

    /// True when `signature` (DER ECDSA/SHA-256) over `data` was made by the private half of
    /// `publicKey` (an OpenSSL `EVP_PKEY *` the caller owns). Malformed signatures give false.
    public static func verify(signature: [UInt8], data: [UInt8], publicKey key: OpaquePointer) -> Bool {
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, key) == 1 else { return false }
        let result = signature.withUnsafeBufferPointer { sig in
            data.withUnsafeBufferPointer { input in
                EVP_DigestVerify(ctx, sig.baseAddress, sig.count, input.baseAddress, input.count)
            }
        }
        return result == 1
    }

    // MARK: Helpers

    /// Parses a DER certificate (`X509 *`, caller frees); nil when it is not one.
    static func x509(fromDER der: [UInt8]) -> OpaquePointer? {
        guard !der.isEmpty, der.count < Int(Int32.max) else { return nil }
        return der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
    }

    /// The DER encoding of an `X509 *`.
    static func derEncoding(of cert: OpaquePointer) -> [UInt8]? {
        let length = i2d_X509(cert, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509(cert, &cursor)
        }
        return written == length ? der : nil
    }

    /// Fills `cert` as a self-signed certificate for `key`; false on any OpenSSL failure.
    private static func fillSelfSigned(_ cert: OpaquePointer, key: OpaquePointer, commonName: String, validityDays: Int) -> Bool {
        guard X509_set_version(cert, 2) == 1 else { return false }
        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { return false }
        serial[0] = (serial[0] & 0x7F) | 0x40  // positive and full length
        guard let bn = BN_bin2bn(serial, Int32(serial.count), nil) else { return false }
        defer { BN_free(bn) }
        guard BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nil else { return false }
        guard X509_gmtime_adj(X509_getm_notBefore(cert), -86_400) != nil,
              X509_time_adj_ex(X509_getm_notAfter(cert), Int32(clamping: validityDays), 0, nil) != nil else { return false }
        guard X509_set_pubkey(cert, key) == 1, let name = X509_get_subject_name(cert) else { return false }
        let added = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        guard added == 1, X509_set_issuer_name(cert, name) == 1 else { return false }
        return X509_sign(cert, key, EVP_sha256()) > 0
    }
}
