import COpenSSL

/// Building the `SSL_CTX` and `SSL` for an endpoint, and the C callbacks OpenSSL calls back.
extension DTLSEndpoint {
    /// A configured `SSL_CTX` (caller frees) for `configuration`.
    static func makeContext(_ configuration: DTLSConfiguration) throws(DTLSError) -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(DTLS_method()) else { throw .configuration(OpenSSLErrorQueue.drain()) }
        var ok = true
        ok = ok && CShim_SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1
        ok = ok && CShim_SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1
        _ = SSL_CTX_set_options(ctx, CShim_SSL_OP_NO_QUERY_MTU() | CShim_SSL_OP_NO_TICKET()
            | CShim_SSL_OP_NO_RENEGOTIATION() | CShim_SSL_OP_NO_COMPRESSION()
            | CShim_SSL_OP_CIPHER_SERVER_PREFERENCE())
        _ = CShim_SSL_CTX_set_read_ahead(ctx, 1)
        ok = ok && SSL_CTX_set_cipher_list(ctx, configuration.cipherList) == 1
        ok = ok && CShim_SSL_CTX_set1_groups_list(ctx, configuration.groups) == 1
        ok = ok && SSL_CTX_use_certificate(ctx, configuration.identity.certificate) == 1
        ok = ok && SSL_CTX_use_PrivateKey(ctx, configuration.identity.privateKey) == 1
        ok = ok && SSL_CTX_check_private_key(ctx) == 1
        if ok, !configuration.srtpProfiles.isEmpty {
            let profiles = configuration.srtpProfiles.map(\.openSSLName).joined(separator: ":")
            // Unlike most of OpenSSL, this one returns 0 on success.
            ok = SSL_CTX_set_tlsext_use_srtp(ctx, profiles) == 0
        }
        guard ok else {
            SSL_CTX_free(ctx)
            throw .configuration(OpenSSLErrorQueue.drain())
        }
        // The peer must present a certificate; any certificate passes the chain check (they are
        // self-signed) and the leaf is then pinned by fingerprint in `verifyCallback`.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyCallback)
        return ctx
    }

    /// Accepts any chain, but checks the leaf certificate (depth 0) against the expected
    /// fingerprints; a mismatch fails the handshake with a `bad_certificate` alert.
    static let verifyCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { _, store in
        guard let store,
              let sslRaw = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
              let state = callbackState(of: OpaquePointer(sslRaw)) else { return 0 }
        guard X509_STORE_CTX_get_error_depth(store) == 0 else { return 1 }
        guard let cert = X509_STORE_CTX_get_current_cert(store),
              let der = DeviceIdentity.derEncoding(of: cert) else { return 0 }
        state.peerCertificateDER = der
        if state.expectedFingerprints.isEmpty { return 1 }  // checked once SDP provides them
        if state.expectedFingerprints.contains(where: { $0.matches(certificateDER: der) }) { return 1 }
        state.fingerprintMismatch = true
        // Maps to a bad_certificate alert (the last chain error would send unknown_ca).
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
        return 0
    }

    /// The retransmission timer: `initial` first, then doubling up to the maximum.
    static let timerCallback: @convention(c) (OpaquePointer?, UInt32) -> UInt32 = { ssl, previous in
        guard let state = callbackState(of: ssl) else { return 1_000_000 }
        if previous == 0 { return state.initialTimeoutMicroseconds }
        let doubled = previous > UInt32.max / 2 ? UInt32.max : previous * 2
        return min(doubled, state.maximumTimeoutMicroseconds)
    }

    /// Records fatal alerts (sent or received) and the peer's close_notify.
    static let infoCallback: @convention(c) (OpaquePointer?, Int32, Int32) -> Void = { ssl, location, value in
        guard location & SSL_CB_ALERT != 0, let state = callbackState(of: ssl) else { return }
        let level = (value >> 8) & 0xFF
        let code = UInt8(truncatingIfNeeded: value)
        let received = location & SSL_CB_READ != 0
        if code == 0 {
            if received { state.receivedCloseNotify = true }
        } else if level == 2 {
            state.lastFatalAlert = DTLSAlert(code: code, direction: received ? .received : .sent)
        }
    }

    /// The endpoint's callback state, stored in the SSL's app-data slot (index 0).
    static func callbackState(of ssl: OpaquePointer?) -> DTLSCallbackState? {
        guard let ssl, let raw = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<DTLSCallbackState>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Microseconds in `duration`, clamped to what OpenSSL's timer takes.
    static func microseconds(_ duration: Duration) -> UInt32 {
        let us = duration.nanosecondsClamped / 1000
        return UInt32(clamping: max(us, 1000))
    }
}
