/// An SRTP protection profile negotiated with the DTLS `use_srtp` extension (RFC 5764 §4.1.2).
public enum SRTPProtectionProfile: UInt16, Hashable, Sendable, CaseIterable {
    /// SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764): 16-byte key, 14-byte salt.
    case aes128CMSHA1_80 = 0x0001
    /// SRTP_AEAD_AES_128_GCM (RFC 7714): 16-byte key, 12-byte salt.
    case aeadAES128GCM = 0x0007

    /// OpenSSL's name for the profile (for `SSL_CTX_set_tlsext_use_srtp`).
    public var openSSLName: String {
        switch self {
        case .aes128CMSHA1_80: return "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: return "SRTP_AEAD_AES_128_GCM"
        }
    }

    /// The master key length in bytes.
    public var keyLength: Int { 16 }

    /// The master salt length in bytes.
    public var saltLength: Int {
        switch self {
        case .aes128CMSHA1_80: return 14
        case .aeadAES128GCM: return 12
        }
    }
}

/// SRTP master keys and salts exported from a DTLS-SRTP handshake (RFC 5764 §4.2).
///
/// The exporter (label `EXTRACTOR-dtls_srtp`, no context) yields
/// `client_write_key | server_write_key | client_write_salt | server_write_salt`;
/// the DTLS client protects what it sends with the client key and salt.
public struct SRTPKeyingMaterial: Hashable, Sendable {
    /// The negotiated profile.
    public var profile: SRTPProtectionProfile
    /// The DTLS client's SRTP master key.
    public var clientWriteKey: [UInt8]
    /// The DTLS server's SRTP master key.
    public var serverWriteKey: [UInt8]
    /// The DTLS client's SRTP master salt.
    public var clientWriteSalt: [UInt8]
    /// The DTLS server's SRTP master salt.
    public var serverWriteSalt: [UInt8]

    /// Splits the exporter output for `profile` into keys and salts; nil when the length is wrong.
    public init?(profile: SRTPProtectionProfile, exported: [UInt8]) {
        let k = profile.keyLength, s = profile.saltLength
        guard exported.count == 2 * (k + s) else { return nil }
        self.profile = profile
        clientWriteKey = Array(exported[0..<k])
        serverWriteKey = Array(exported[k..<(2 * k)])
        clientWriteSalt = Array(exported[(2 * k)..<(2 * k + s)])
        serverWriteSalt = Array(exported[(2 * k + s)..<(2 * k + 2 * s)])
    }

    /// The key and salt this side sends with, given its DTLS role.
    public func local(role: DTLSRole) -> (key: [UInt8], salt: [UInt8]) {
        role == .client ? (clientWriteKey, clientWriteSalt) : (serverWriteKey, serverWriteSalt)
    }

    /// The key and salt the peer sends with, given this side's DTLS role.
    public func remote(role: DTLSRole) -> (key: [UInt8], salt: [UInt8]) {
        role == .client ? (serverWriteKey, serverWriteSalt) : (clientWriteKey, clientWriteSalt)
    }
}
