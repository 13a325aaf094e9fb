import DTLS

/// What a client needs to authenticate: its public key material and a way to sign with the
/// matching private key (ECDSA P-256 over SHA-256).
public protocol SignalingCredential: Sendable {
    /// The key material sent in `auth`.
    var authCredential: AuthProof.Credential { get }
    /// Signs `data`; returns a DER ECDSA signature.
    func signDER(_ data: [UInt8]) throws -> [UInt8]
}

extension SignalingCredential {
    /// The full `auth` proof for a `hello` with this nonce and server identity.
    public func proof(nonce: [UInt8], serverIdentity: String) throws -> AuthProof {
        let transcript = SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: serverIdentity)
        return AuthProof(credential: authCredential, signature: try signDER(transcript), signatureFormat: .der)
    }
}

/// A device identity (its DTLS certificate and key) used as a signaling credential.
public struct DeviceIdentityCredential: SignalingCredential {
    /// The identity that signs.
    public let identity: DeviceIdentity

    /// Wraps `identity`.
    public init(_ identity: DeviceIdentity) { self.identity = identity }

    public var authCredential: AuthProof.Credential { .certificate(identity.certificateDER) }

    public func signDER(_ data: [UInt8]) throws -> [UInt8] { try identity.sign(data) }
}
