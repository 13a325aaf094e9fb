/// Why creating, loading, saving or using a ``DeviceIdentity`` failed.
public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// OpenSSL could not generate the P-256 key (the text is OpenSSL's error queue).
    case keyGenerationFailed(String)
    /// OpenSSL could not build or sign the certificate.
    case certificateCreationFailed(String)
    /// The PEM text does not hold a private key and a certificate OpenSSL can read.
    case invalidPEM(String)
    /// The key is not an ECDSA P-256 key.
    case unsupportedKeyType
    /// The private key in the file does not belong to the certificate.
    case keyDoesNotMatchCertificate
    /// A file-system call failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// The identity file can be read by group or others (`mode` in octal is shown); it must be 0600.
    case insecureFileMode(path: String, mode: UInt32)
    /// Signing failed inside OpenSSL.
    case signingFailed(String)

    public var description: String {
        switch self {
        case let .keyGenerationFailed(why): return "could not generate the device key: \(why)"
        case let .certificateCreationFailed(why): return "could not create the device certificate: \(why)"
        case let .invalidPEM(why): return "the identity file is not a PEM key and certificate: \(why)"
        case .unsupportedKeyType: return "the device key is not an ECDSA P-256 key"
        case .keyDoesNotMatchCertificate: return "the device key does not match the device certificate"
        case let .fileSystem(operation, path, errno): return "\(operation) \(path) failed (errno \(errno))"
        case let .insecureFileMode(path, mode):
            return "\(path) has mode \(String(mode, radix: 8)); it holds a private key and must be 0600"
        case let .signingFailed(why): return "signing failed: \(why)"
        }
    }
}
