import COpenSSL

/// A certificate fingerprint as SDP's `a=fingerprint` carries it (RFC 8122): a hash
/// function name and the digest of the certificate's DER, e.g. `sha-256 AB:CD:…`.
///
/// The DTLS endpoint compares the peer's certificate against one of these.
public struct CertificateFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// A hash function allowed in SDP fingerprints (the ones browsers use).
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
        /// SHA-256: what Chromium, Firefox, aiortc and PeerSync send.
        case sha256 = "sha-256"
        /// SHA-384.
        case sha384 = "sha-384"
        /// SHA-512.
        case sha512 = "sha-512"

        /// The digest length in bytes.
        public var digestLength: Int {
            switch self {
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }

        /// The OpenSSL message digest for this algorithm.
        var evpMD: OpaquePointer? {
            switch self {
            case .sha256: return EVP_sha256()
            case .sha384: return EVP_sha384()
            case .sha512: return EVP_sha512()
            }
        }
    }

    /// The hash function.
    public let algorithm: Algorithm
    /// The digest of the certificate's DER (`algorithm.digestLength` bytes).
    public let digest: [UInt8]

    /// A fingerprint from its parts. `digest` must have `algorithm.digestLength` bytes.
    public init(algorithm: Algorithm, digest: [UInt8]) {
        precondition(digest.count == algorithm.digestLength, "fingerprint digest has the wrong length")
        self.algorithm = algorithm
        self.digest = digest
    }

    /// The fingerprint of a DER-encoded certificate with `algorithm` (SHA-256 by default).
    public init(certificateDER: [UInt8], algorithm: Algorithm = .sha256) {
        self.algorithm = algorithm
        self.digest = OpenSSLDigest.digest(certificateDER, algorithm.evpMD, length: algorithm.digestLength)
    }

    /// Parses the SDP attribute value `sha-256 AB:CD:…` (hash name in any case, hex in any case).
    public init(sdp text: String) throws(CertificateFingerprintParseError) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2 else { throw .malformed }
        guard let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
            throw .unsupportedAlgorithm(String(parts[0]))
        }
        var digest: [UInt8] = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.utf8.count == 2, let byte = UInt8(pair, radix: 16) else { throw .malformed }
            digest.append(byte)
        }
        guard digest.count == algorithm.digestLength else {
            throw .wrongDigestLength(expected: algorithm.digestLength, actual: digest.count)
        }
        self.algorithm = algorithm
        self.digest = digest
    }

    /// The SDP attribute value: `sha-256 AB:CD:…` (upper-case hex, colon-separated).
    public var sdpValue: String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(digest.count * 3)
        for (i, byte) in digest.enumerated() {
            if i > 0 { hex.append(UInt8(ascii: ":")) }
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return algorithm.rawValue + " " + String(decoding: hex, as: UTF8.self)
    }

    public var description: String { sdpValue }

    /// True when `certificateDER` hashes to this fingerprint under its algorithm.
    public func matches(certificateDER: [UInt8]) -> Bool {
        CertificateFingerprint(certificateDER: certificateDER, algorithm: algorithm).digest == digest
    }
}

/// Why an SDP fingerprint value was rejected.
public enum CertificateFingerprintParseError: Error, Equatable, Sendable {
    /// Not `<hash-name> <hex>:<hex>:…`.
    case malformed
    /// A hash function we do not accept (e.g. `sha-1`, `md5`).
    case unsupportedAlgorithm(String)
    /// The digest length does not match the hash function.
    case wrongDigestLength(expected: Int, actual: Int)
}
