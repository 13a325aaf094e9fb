import COpenSSL
import DTLS

/// An OpenSSL `SSL_CTX` for TLS 1.2+ streams (client or server), from which each connection's
/// `SSL` is made. Immutable once made, so it can be shared between event loops.
public final class TLSContext: @unchecked Sendable {
    // @unchecked Sendable: the SSL_CTX is configured in `init` and only read afterwards
    // (SSL_new), which OpenSSL allows from several threads.
    let raw: OpaquePointer
    /// True for a client context (which verifies the server), false for a server's.
    public let isClient: Bool

    /// A client context trusting `configuration.trust`; peers are always verified.
    public init(client configuration: TLSClientConfiguration) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .configuration(OpenSSLErrorQueue.drain()) }
        raw = ctx
        isClient = true
        try setCommonOptions()
        switch configuration.trust {
        case .system:
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                throw .configuration("cannot load the system CA store: \(OpenSSLErrorQueue.drain())")
            }
        case .caFile(let path):
            guard SSL_CTX_load_verify_locations(ctx, path, nil) == 1 else {
                throw .configuration("cannot load CA file \(path): \(OpenSSLErrorQueue.drain())")
            }
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
    }

    /// A server context presenting `configuration`'s certificate chain and key.
    public init(server configuration: TLSServerConfiguration) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .configuration(OpenSSLErrorQueue.drain()) }
        raw = ctx
        isClient = false
        try setCommonOptions()
        guard SSL_CTX_use_certificate_chain_file(ctx, configuration.certificateChainFile) == 1 else {
            throw .configuration("cannot load certificate chain \(configuration.certificateChainFile): \(OpenSSLErrorQueue.drain())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw .configuration("cannot load private key \(configuration.privateKeyFile): \(OpenSSLErrorQueue.drain())")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .configuration("the private key does not match the certificate: \(OpenSSLErrorQueue.drain())")
        }
    }

    deinit { SSL_CTX_free(raw) }

    private func setCommonOptions() throws(TLSError) {
        guard CShim_SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION) == 1 else {
            throw .configuration(OpenSSLErrorQueue.drain())
        }
        _ = SSL_CTX_set_options(raw, CShim_SSL_OP_NO_COMPRESSION() | CShim_SSL_OP_NO_RENEGOTIATION())
        // Writes into a memory BIO always complete; let SSL_write accept a moved buffer.
        _ = CShim_SSL_CTX_set_mode(raw, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
    }
}
