/// `{"type":"challenge"}` — server → client, first frame on every connection.
public struct ChallengeFrame: Hashable, Sendable, Codable {
    /// Protocol version (1).
    public var version: Int
    /// 32 random bytes, never reused by the server.
    public var nonce: [UInt8]
    /// The server's identity (its public URL), bound into the signature so a signature made
    /// for one server cannot be replayed to another.
    public var server: String

    /// A challenge.
    public init(version: Int = 1, nonce: [UInt8], server: String) {
        self.version = version
        self.nonce = nonce
        self.server = server
    }

    enum CodingKeys: String, CodingKey { case version, nonce, server }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        nonce = try c.decodeBase64(forKey: .nonce, maxBytes: SignalingLimits.nonceBytes)
        server = try c.decode(String.self, forKey: .server)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encodeBase64(nonce, forKey: .nonce)
        try c.encode(server, forKey: .server)
    }

    func validate() throws(SignalingParseError) {
        guard version >= 1 else { throw .invalidField("version", "must be ≥ 1") }
        guard nonce.count == SignalingLimits.nonceBytes else { throw .invalidField("nonce", "must be 32 bytes") }
        guard !server.isEmpty, server.utf8.count <= SignalingLimits.maxServerIdentityLength else {
            throw .invalidField("server", "must be 1–256 bytes")
        }
    }
}

/// `{"type":"auth"}` — client → server: the device certificate and an ECDSA signature over
/// ``signedBytes(server:nonce:)``.
public struct AuthFrame: Hashable, Sendable, Codable {
    /// The device certificate, DER.
    public var certificate: [UInt8]
    /// ECDSA-SHA256 signature (DER) with the certificate's key.
    public var signature: [UInt8]
    /// The nonce being answered (echoed, so a stale answer is recognised).
    public var nonce: [UInt8]

    /// An authentication answer.
    public init(certificate: [UInt8], signature: [UInt8], nonce: [UInt8]) {
        self.certificate = certificate
        self.signature = signature
        self.nonce = nonce
    }

    /// The bytes a client signs: `"peersync-rendezvous-auth-v1" 0x00 server 0x00 nonce`.
    public static func signedBytes(server: String, nonce: [UInt8]) -> [UInt8] {
        Array("peersync-rendezvous-auth-v1".utf8) + [0] + Array(server.utf8) + [0] + nonce
    }

    enum CodingKeys: String, CodingKey { case certificate, signature, nonce }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        certificate = try c.decodeBase64(forKey: .certificate, maxBytes: SignalingLimits.maxCertificateBytes)
        signature = try c.decodeBase64(forKey: .signature, maxBytes: SignalingLimits.maxSignatureBytes)
        nonce = try c.decodeBase64(forKey: .nonce, maxBytes: SignalingLimits.nonceBytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeBase64(certificate, forKey: .certificate)
        try c.encodeBase64(signature, forKey: .signature)
        try c.encodeBase64(nonce, forKey: .nonce)
    }

    func validate() throws(SignalingParseError) {
        guard !certificate.isEmpty else { throw .invalidField("certificate", "must not be empty") }
        guard !signature.isEmpty else { throw .invalidField("signature", "must not be empty") }
        guard nonce.count == SignalingLimits.nonceBytes else { throw .invalidField("nonce", "must be 32 bytes") }
    }
}

/// `{"type":"authenticated"}` — server → client: the connection now speaks for this device.
public struct AuthenticatedFrame: Hashable, Sendable, Codable {
    /// The device ID the server derived from the certificate (SHA-256, base32 groups).
    public var deviceId: String

    /// A confirmation.
    public init(deviceId: String) { self.deviceId = deviceId }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.deviceID(deviceId, field: "deviceId")
    }
}
