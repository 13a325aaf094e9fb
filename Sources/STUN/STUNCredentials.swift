/// The key that MESSAGE-INTEGRITY is computed with (RFC 8489 §9).
public struct STUNIntegrityKey: Hashable, Sendable {
    /// The raw HMAC key bytes.
    public let bytes: [UInt8]

    /// Wraps raw key bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// A short-term credential key (ICE): the password itself (§9.1.1; OpaqueString profile is
    /// applied as identity, which is exact for the ASCII ice-pwd alphabet).
    public static func shortTerm(password: String) -> STUNIntegrityKey {
        STUNIntegrityKey(bytes: Array(password.utf8))
    }

    /// A long-term credential key (TURN): MD5(username ":" realm ":" password) (§9.2.2).
    public static func longTerm(username: String, realm: String, password: String) -> STUNIntegrityKey {
        STUNIntegrityKey(bytes: STUNCrypto.md5(Array("\(username):\(realm):\(password)".utf8)))
    }
}

/// Which MESSAGE-INTEGRITY attribute a message is signed with.
public enum STUNIntegrityAlgorithm: Hashable, Sendable {
    /// MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes): what ICE and TURN peers use.
    case sha1
    /// MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, 32 bytes).
    case sha256
}
