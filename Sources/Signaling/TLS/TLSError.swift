/// Why a TLS (`wss://`) connection or its set-up failed.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The certificate, key or CA file could not be loaded (OpenSSL's reason).
    case configuration(String)
    /// The server's certificate chain did not verify against the trusted CAs, or does not
    /// name the host that was dialled (OpenSSL's verification reason and the host).
    case certificateVerificationFailed(reason: String, host: String)
    /// The handshake failed for another reason (OpenSSL's reason).
    case handshakeFailed(String)
    /// The connection closed before the handshake finished.
    case closedDuringHandshake
    /// The TLS stream broke after the handshake (OpenSSL's reason).
    case protocolError(String)

    public var description: String {
        switch self {
        case .configuration(let why): "TLS configuration error: \(why)"
        case .certificateVerificationFailed(let reason, let host):
            "TLS certificate verification failed for \(host): \(reason)"
        case .handshakeFailed(let why): "TLS handshake failed: \(why)"
        case .closedDuringHandshake: "TLS handshake failed: the connection closed during the handshake"
        case .protocolError(let why): "TLS error: \(why)"
        }
    }
}
