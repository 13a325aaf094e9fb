/// An SRTP protection profile negotiated by DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).
public enum SRTPProfile: UInt16, Sendable, CaseIterable {
    /// `SRTP_AES128_CM_HMAC_SHA1_80`: AES-128 counter mode, 80-bit HMAC-SHA1 tag.
    case aes128CMHMACSHA1_80 = 0x0001
    /// `SRTP_AEAD_AES_128_GCM`: AES-128-GCM with a 16-byte tag.
    case aeadAES128GCM = 0x0007

    /// The master key length in bytes.
    public var keyLength: Int { 16 }

    /// The master salt length in bytes.
    public var saltLength: Int {
        switch self {
        case .aes128CMHMACSHA1_80: return 14
        case .aeadAES128GCM: return 12
        }
    }

    /// Bytes to export from DTLS (`EXTRACTOR-dtls_srtp`): two keys and two salts.
    public var keyingMaterialLength: Int { 2 * (keyLength + saltLength) }

    /// The profile's name in the IANA DTLS-SRTP protection profile registry (W3C `srtpCipher`).
    public var registryName: String {
        switch self {
        case .aes128CMHMACSHA1_80: return "AES_CM_128_HMAC_SHA1_80"
        case .aeadAES128GCM: return "AEAD_AES_128_GCM"
        }
    }

    /// The OpenSSL name of the profile, as used with `SSL_CTX_set_tlsext_use_srtp`.
    public var openSSLName: String {
        switch self {
        case .aes128CMHMACSHA1_80: return "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: return "SRTP_AEAD_AES_128_GCM"
        }
    }
}

/// Which end of the DTLS handshake we were; decides which half of the keying material is ours.
public enum SRTPRole: Sendable {
    /// The DTLS client: we send with `client_write_key`.
    case client
    /// The DTLS server: we send with `server_write_key`.
    case server
}

/// The master keys and salts for both directions, split from DTLS-SRTP keying material.
public struct SRTPKeys: Sendable, Equatable {
    /// The profile these keys are for.
    public let profile: SRTPProfile
    /// Key and salt we protect with.
    public let localKey: [UInt8], localSalt: [UInt8]
    /// Key and salt the peer protects with (we unprotect with them).
    public let remoteKey: [UInt8], remoteSalt: [UInt8]

    /// Splits `keyingMaterial` (client_key | server_key | client_salt | server_salt, RFC 5764 §4.2).
    public init(profile: SRTPProfile, keyingMaterial m: [UInt8], role: SRTPRole) throws(SRTPError) {
        guard m.count == profile.keyingMaterialLength else {
            throw .badKeyingMaterial(expected: profile.keyingMaterialLength, got: m.count)
        }
        let k = profile.keyLength, s = profile.saltLength
        let clientKey = Array(m[0..<k]), serverKey = Array(m[k..<(2 * k)])
        let clientSalt = Array(m[(2 * k)..<(2 * k + s)]), serverSalt = Array(m[(2 * k + s)..<(2 * k + 2 * s)])
        self.profile = profile
        switch role {
        case .client:
            localKey = clientKey; localSalt = clientSalt; remoteKey = serverKey; remoteSalt = serverSalt
        case .server:
            localKey = serverKey; localSalt = serverSalt; remoteKey = clientKey; remoteSalt = clientSalt
        }
    }
}
