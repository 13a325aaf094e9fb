/// How a `wss://` client decides whether to trust the server's certificate. Hostname (or
/// IP address) checking against the certificate is always on.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// Which certificate authorities are trusted.
    public enum Trust: Sendable, Equatable {
        /// The system's CA store (Debian: `/etc/ssl/certs`, from `ca-certificates`).
        case system
        /// Only the CA certificate(s) in this PEM file: pins a self-hosted server's own CA.
        case caFile(String)
    }

    /// Which certificate authorities are trusted (the system store by default).
    public var trust: Trust
    /// The name checked against the certificate and sent as SNI; nil uses the URL's host.
    public var serverName: String?

    /// Trusts `trust`, checking `serverName` (or the URL's host).
    public init(trust: Trust = .system, serverName: String? = nil) {
        self.trust = trust
        self.serverName = serverName
    }
}

/// The certificate a TLS server presents.
public struct TLSServerConfiguration: Sendable, Equatable {
    /// PEM file with the server certificate, followed by any intermediate CA certificates.
    public var certificateChainFile: String
    /// PEM file with the certificate's private key.
    public var privateKeyFile: String

    /// A server presenting the chain in `certificateChainFile` with the key in `privateKeyFile`.
    public init(certificateChainFile: String, privateKeyFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }
}
