import COpenSSL
import DTLS
import NIOCore

/// TLS for a SwiftNIO stream channel with OpenSSL's libssl over memory BIOs: ciphertext from
/// the socket is written into the read BIO, plaintext comes out of `SSL_read`; plaintext
/// writes go through `SSL_write` and the write BIO's ciphertext goes to the socket.
///
/// Put it first in the pipeline (below HTTP). A client starts the handshake when the channel
/// becomes active and checks the server's certificate chain and name (`SSL_set1_host`, or the
/// IP address for literals); writes made before the handshake finishes are held and sent after
/// it. `handshakeCompleted` succeeds when the handshake does and fails with a `TLSError` when
/// it fails or the connection closes first.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let context: TLSContext
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private let verifiedName: String
    private var handshakeDone = false
    private var handshakeResolved = false
    private var failed = false
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushPending = false
    private let handshakePromise: EventLoopPromise<Void>

    /// Resolved when the handshake completes (or fails, with a `TLSError`).
    public var handshakeCompleted: EventLoopFuture<Void> { handshakePromise.futureResult }

    /// A handler for one connection. For a client, `serverName` is the host verified against
    /// the certificate and sent as SNI (IP literals are checked as addresses, without SNI).
    public init(context: TLSContext, serverName: String?, eventLoop: any EventLoop) throws(TLSError) {
        guard let ssl = SSL_new(context.raw) else { throw .configuration(OpenSSLErrorQueue.drain()) }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .configuration("cannot allocate memory BIOs")
        }
        // An empty read BIO means "no data yet", not end of file.
        _ = CShim_BIO_set_mem_eof_return(readBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL owns both BIOs from here on
        self.context = context
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.verifiedName = serverName ?? ""
        self.handshakePromise = eventLoop.makePromise(of: Void.self)
        // From here on `deinit` frees the SSL (and its BIOs) if this initializer throws.
        if context.isClient {
            guard let serverName, !serverName.isEmpty else {
                throw .configuration("a TLS client needs the server's name to verify its certificate")
            }
            if Self.isIPAddress(serverName) {
                guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1 else {
                    throw .configuration("cannot verify IP address \(serverName)")
                }
            } else {
                guard SSL_set1_host(ssl, serverName) == 1, CShim_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                    throw .configuration("cannot verify host name \(serverName)")
                }
            }
            SSL_set_connect_state(ssl)
        } else {
            SSL_set_accept_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)
        if !handshakeResolved { handshakePromise.fail(TLSError.closedDuringHandshake) }
    }

    // MARK: Inbound

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive && self.context.isClient { advanceHandshake(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        if self.context.isClient { advanceHandshake(context: context) }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            let written = buffer.withUnsafeReadableBytes { raw in
                BIO_write(readBIO, raw.baseAddress, Int32(clamping: raw.count))
            }
            guard written > 0 else {
                fail(context: context, .protocolError("cannot buffer received bytes"))
                return
            }
            buffer.moveReaderIndex(forwardBy: Int(written))
        }
        if !handshakeDone { advanceHandshake(context: context) }
        if handshakeDone { readPlaintext(context: context) }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        resolveHandshake(.failure(TLSError.closedDuringHandshake))
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        guard handshakeDone else {
            pendingWrites.append((buffer, promise))
            return
        }
        encrypt(context: context, buffer, promise: promise)
    }

    public func flush(context: ChannelHandlerContext) {
        guard handshakeDone else {
            flushPending = true
            return
        }
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, handshakeDone, !failed, context.channel.isActive {
            OpenSSLErrorQueue.clear()
            _ = SSL_shutdown(ssl)  // queue close_notify
            writeCiphertext(context: context, promise: nil)
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    // MARK: Helpers

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard !handshakeDone, !failed else { return }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            handshakeDone = true
            writeCiphertext(context: context, promise: nil)
            let writes = pendingWrites
            pendingWrites = []
            for (buffer, promise) in writes { encrypt(context: context, buffer, promise: promise) }
            context.flush()
            flushPending = false
            resolveHandshake(.success(()))
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            writeCiphertext(context: context, promise: nil)
            context.flush()
        default:
            let reason = OpenSSLErrorQueue.drain()
            let verify = SSL_get_verify_result(ssl)
            let error: TLSError
            if self.context.isClient, verify != X509_V_OK {
                error = .certificateVerificationFailed(reason: String(cString: X509_verify_cert_error_string(verify)),
                                                       host: verifiedName)
            } else {
                error = .handshakeFailed(reason.isEmpty ? "the peer ended the handshake" : reason)
            }
            writeCiphertext(context: context, promise: nil)  // our alert, if any
            context.flush()
            fail(context: context, error)
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        var produced = false
        while true {
            OpenSSLErrorQueue.clear()
            var buffer = context.channel.allocator.buffer(capacity: 16_384)
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16_384) { raw in
                Int(max(0, SSL_read(ssl, raw.baseAddress, Int32(clamping: raw.count))))
            }
            if count > 0 {
                produced = true
                context.fireChannelRead(wrapInboundOut(buffer))
                continue
            }
            let code = SSL_get_error(ssl, 0)
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                break
            case SSL_ERROR_ZERO_RETURN:
                // The peer sent close_notify: answer it and close.
                writeCiphertext(context: context, promise: nil)
                context.flush()
                if produced { context.fireChannelReadComplete() }
                context.close(promise: nil)
                return
            default:
                fail(context: context, .protocolError(OpenSSLErrorQueue.drain()))
                return
            }
            break
        }
        // Reading may have produced handshake messages (TLS 1.3 tickets, key updates).
        if BIO_ctrl_pending(writeBIO) > 0 {
            writeCiphertext(context: context, promise: nil)
            context.flush()
        }
        if produced { context.fireChannelReadComplete() }
    }

    private func encrypt(context: ChannelHandlerContext, _ plaintext: ByteBuffer, promise: EventLoopPromise<Void>?) {
        var plaintext = plaintext
        while plaintext.readableBytes > 0 {
            OpenSSLErrorQueue.clear()
            let written = plaintext.withUnsafeReadableBytes { raw in
                SSL_write(ssl, raw.baseAddress, Int32(clamping: raw.count))
            }
            guard written > 0 else {
                let error = TLSError.protocolError(OpenSSLErrorQueue.drain())
                promise?.fail(error)
                fail(context: context, error)
                return
            }
            plaintext.moveReaderIndex(forwardBy: Int(written))
        }
        writeCiphertext(context: context, promise: promise)
    }

    /// Moves everything in the write BIO to the socket (completing `promise` with that write).
    private func writeCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = BIO_ctrl_pending(writeBIO)
        guard pending > 0 else {
            promise?.succeed(())
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: pending)
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
            Int(max(0, BIO_read(writeBIO, raw.baseAddress, Int32(clamping: pending))))
        }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    /// Fails the connection. A client also reports the error up the pipeline; a server only
    /// closes (a peer's broken or refused handshake is not the server's error, and the HTTP
    /// layer above would log it as one); `handshakeCompleted` carries a handshake failure.
    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard !failed else { return }
        failed = true
        resolveHandshake(.failure(error))
        failPendingWrites(error)
        if self.context.isClient { context.fireErrorCaught(error) }
        context.close(promise: nil)
    }

    private func resolveHandshake(_ result: Result<Void, any Error>) {
        guard !handshakeResolved else { return }
        handshakeResolved = true
        handshakePromise.completeWith(result)
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites = []
        for (_, promise) in writes { promise?.fail(error) }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." } && host.split(separator: ".").count == 4)
    }
}
