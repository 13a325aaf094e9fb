import COpenSSL
import WireKit

/// One DTLS 1.2 association (RFC 6347) over OpenSSL, as a sans-IO core.
///
/// Datagrams in (`handle(datagram:now:)`), datagrams out (`pollTransmit()`), events out
/// (`pollEvent()`), a deadline out (`pollTimeout()`), and `handle(timeout:)` when it passes.
/// After every input, drain `pollTransmit()` and `pollEvent()`, then ask `pollTimeout()` again.
/// DTLS carries no addresses: the caller (ICE) decides where datagrams go.
///
/// - The handshake, record layer, fragmentation and reassembly of handshake messages are
///   OpenSSL's (libssl 3.0); a custom BIO (``DatagramBIO``) keeps datagram boundaries.
/// - The peer must present a certificate; its SHA-256 (or the SDP's hash) must match one of
///   the expected fingerprints, or the handshake fails with ``DTLSError/fingerprintFailure``
///   (we send `bad_certificate`; the peer sees ``DTLSError/dtlsFailure(alert:)``).
/// - `use_srtp` offers the configured profiles; ``srtpKeyingMaterial`` holds the RFC 5764
///   keys once connected.
/// - ``close()`` sends `close_notify`.
///
/// **Time.** This is the one PeerSync core whose timing is not purely virtual: OpenSSL's
/// handshake retransmission timer runs on the real clock (`gettimeofday`), and libssl offers
/// no way to inject a clock. `pollTimeout()` maps OpenSSL's remaining real time onto the
/// caller's timeline (`now` of the last input + remaining), and `handle(timeout:)` only
/// retransmits once that real time has passed. Once connected, no timer runs, so everything
/// above DTLS (SCTP, data channels) stays testable on virtual time; tests that need handshake
/// retransmissions use short timeouts and real waits bounded by OpenSSL's own deadlines.
///
/// Not thread-safe and not `Sendable`: one endpoint belongs to one driver task.
public final class DTLSEndpoint {
    /// The role this endpoint plays.
    public let role: DTLSRole
    /// The current state (W3C `RTCDtlsTransportState`).
    public private(set) var state: DTLSState = .new
    /// Why the endpoint failed, once `state` is `failed`.
    public private(set) var error: DTLSError?
    /// OpenSSL's description of the failure, for logs (never holds key material).
    public private(set) var failureDetail: String?
    /// The SRTP keys and salts, once connected with a negotiated `use_srtp` profile.
    public private(set) var srtpKeyingMaterial: SRTPKeyingMaterial?
    /// The peer's certificate (DER), once the handshake has shown it.
    public var remoteCertificateDER: [UInt8]? { callbackState.peerCertificateDER }
    /// The negotiated cipher suite (OpenSSL name), once connected.
    public private(set) var cipherSuite: String?
    /// Whether application data now goes through the endpoint's own record code (see
    /// ``DTLSConfiguration/nativeRecordLayer``): connected with a supported AEAD suite.
    public var usesNativeRecordLayer: Bool { protection != nil }
    /// True while events wait in ``pollEvent()``.
    var hasPendingEvents: Bool { eventHead < events.count }
    /// Received application-data records dropped because they did not authenticate (native
    /// record layer only; OpenSSL drops such records without counting).
    public var recordsFailingAuthentication: Int { protection?.authenticationFailures ?? 0 }
    /// Received application-data records dropped as replays or as older than the replay
    /// window (native record layer only).
    public var recordsReplayed: Int { protection?.replaysDropped ?? 0 }

    let configuration: DTLSConfiguration
    let callbackState: DTLSCallbackState
    private let context: OpaquePointer   // SSL_CTX *
    let ssl: OpaquePointer       // SSL *
    var events: [DTLSEvent] = []
    /// The native record layer, once connected (nil while OpenSSL's is used).
    var protection: DTLSRecordProtection?
    private var eventHead = 0
    var lastNow: Instant = .zero
    private var handshakeDone = false
    private var readBuffer = [UInt8](repeating: 0, count: 16_384 + 2_048)
    /// The AEAD overhead of the negotiated suite: no genuine protected record is shorter.
    var minimumProtectedLength = 24

    /// Creates an endpoint in state `new`. Call ``start(now:)`` once the transport below is
    /// ready (a client sends its ClientHello then); a server also starts on its first datagram.
    public init(configuration: DTLSConfiguration) throws(DTLSError) {
        self.configuration = configuration
        self.role = configuration.role
        self.callbackState = DTLSCallbackState(
            initialTimeoutMicroseconds: Self.microseconds(configuration.initialRetransmissionTimeout),
            maximumTimeoutMicroseconds: Self.microseconds(configuration.maximumRetransmissionTimeout),
            expectedFingerprints: configuration.remoteFingerprints)
        let context = try Self.makeContext(configuration)
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .configuration(OpenSSLErrorQueue.drain())
        }
        guard let bio = DatagramBIO.make(state: callbackState) else {
            SSL_free(ssl)
            SSL_CTX_free(context)
            throw .configuration(OpenSSLErrorQueue.drain())
        }
        SSL_set_bio(ssl, bio, bio)  // one reference, owned by ssl from here on
        self.context = context
        self.ssl = ssl
        _ = SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(callbackState).toOpaque())
        DTLS_set_timer_cb(ssl, Self.timerCallback)
        SSL_set_info_callback(ssl, Self.infoCallback)
        guard configuration.mtu >= 256, configuration.mtu <= 65_507,
              CShim_DTLS_set_link_mtu(ssl, configuration.mtu) == 1 else {
            throw .configuration("MTU \(configuration.mtu) out of range 256...65507")
        }
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)  // frees the BIO too; callbackState outlives both
        SSL_CTX_free(context)
    }

    // MARK: Getters

    /// The largest application-data record that fits in one datagram of the configured MTU
    /// (what SCTP should size its packets to).
    public var maximumApplicationDataSize: Int {
        let size = DTLS_get_data_mtu(ssl)
        return size > 0 ? Int(size) : configuration.mtu - 64
    }

    /// Sets the datagram size application-data records may fill (the link MTU OpenSSL
    /// sizes its records to), when PLPMTUD changed the packet size the layer above sends.
    /// Clamped to 256...65507; handshake flights keep ``DTLSConfiguration/mtu``, so call it
    /// once connected.
    public func setRecordMTU(_ mtu: Int) {
        // OpenSSL turns the link MTU into its record limit only while handshaking; after
        // that the limit itself is set (our BIO has no per-datagram overhead: the same value).
        let size = min(65_507, max(256, mtu))
        _ = CShim_DTLS_set_link_mtu(ssl, size)
        _ = CShim_SSL_set_mtu(ssl, size)
    }

    // MARK: Inputs

    /// Starts the handshake: state `connecting`; a client queues its ClientHello.
    public func start(now: Instant) {
        lastNow = now
        guard state == .new else { return }
        setState(.connecting)
        drive()
    }

    /// Feeds one datagram received from the peer (DTLS records only: demultiplex first).
    /// Garbage and records that fail authentication are dropped by OpenSSL without effect.
    public func handle(datagram: [UInt8], now: Instant) {
        guard enqueue(datagram, now: now) else { return }
        drive()
    }

    /// Feeds several datagrams at once (as `recvmmsg` delivers them): the same as calling
    /// ``handle(datagram:now:)`` for each, with less work per datagram.
    public func handle(datagrams: [[UInt8]], now: Instant) {
        var queued = false
        for datagram in datagrams where enqueue(datagram, now: now) {
            // Records for OpenSSL are read before the next datagram's application data, so
            // events keep the order of the records.
            if protection != nil { drive() } else { queued = true }
        }
        if queued { drive() }
    }

    /// Queues a datagram for OpenSSL; false when the state ignores input or nothing is left.
    private func enqueue(_ datagram: [UInt8], now: Instant) -> Bool {
        lastNow = now
        switch state {
        case .new:
            guard role == .server else { return false }
            setState(.connecting)
        case .connecting, .connected: break
        case .closed, .failed: return false
        }
        if let protection, state == .connected {
            let rest = openApplicationData(datagram, with: protection)
            guard !rest.isEmpty else { return false }
            callbackState.pushInbound(rest)
            return true
        }
        let records = handshakeDone
            ? DTLSRecordFilter.sanitized(datagram, minimumProtectedLength: minimumProtectedLength) : datagram
        guard !records.isEmpty else { return false }
        callbackState.pushInbound(records)
        return true
    }

    /// Called when the deadline from ``pollTimeout()`` has passed: retransmits the last
    /// handshake flight if OpenSSL's (real-time) timer has expired, fails after too many tries.
    public func handle(timeout now: Instant) {
        lastNow = now
        guard state == .connecting, !handshakeDone else { return }
        OpenSSLErrorQueue.clear()
        let result = CShim_DTLSv1_handle_timeout(ssl)
        if result < 0 {
            fail(.dtlsFailure(alert: callbackState.lastFatalAlert), detail: "handshake timed out: \(OpenSSLErrorQueue.drain())")
        }
    }

    /// Updates the expected fingerprints (when the remote SDP arrives after the handshake
    /// started). A handshake that already finished is checked now.
    public func setRemoteFingerprints(_ fingerprints: [CertificateFingerprint]) {
        callbackState.expectedFingerprints = fingerprints
        if state == .connecting, handshakeDone { completeIfVerified() }
    }

    // MARK: Mutators

    /// Sends one application-data record (for SCTP: one SCTP packet).
    public func send(_ bytes: [UInt8]) throws(DTLSError) {
        guard state == .connected else { throw .notConnected }
        guard bytes.count <= 16_384 else { throw .recordTooLarge(bytes.count) }
        guard !bytes.isEmpty else { return }
        if let protection {
            guard let record = bytes.withUnsafeBytes({ protection.seal(type: 23, $0) }) else {
                fail(.dtlsFailure(alert: nil), detail: "record sequence numbers exhausted or sealing failed")
                throw .dtlsFailure(alert: nil)
            }
            callbackState.pushSealed(record)
            return
        }
        OpenSSLErrorQueue.clear()
        let written = bytes.withUnsafeBytes { raw in SSL_write(ssl, raw.baseAddress, Int32(raw.count)) }
        if written <= 0 {
            let code = SSL_get_error(ssl, written)
            fail(.dtlsFailure(alert: callbackState.lastFatalAlert), detail: "SSL_write error \(code): \(OpenSSLErrorQueue.drain())")
            throw .dtlsFailure(alert: callbackState.lastFatalAlert)
        }
    }

    /// The length of the record ``seal(applicationData:into:)`` makes of `count` bytes, or nil
    /// when that bulk path is not available (the native record layer is not running, the
    /// association is not connected, or records OpenSSL wrote wait in ``pollTransmit()``, which
    /// must go first).
    public func sealedLength(ofApplicationData count: Int) -> Int? {
        guard let protection, state == .connected, count > 0, count <= 16_384, !callbackState.hasOutbound else { return nil }
        return count + protection.overhead
    }

    /// The bulk send path of the native record layer: seals `bytes` as one application-data
    /// record straight into `out` (a driver's socket buffer), instead of queueing a record
    /// for ``pollTransmit()``. The record is the one ``send(_:)`` would queue (same sequence
    /// numbering, interchangeable with it record by record). Call only after
    /// ``sealedLength(ofApplicationData:)`` returned a length, with `out` at least that long
    /// (a shorter one throws ``DTLSError/recordTooLarge(_:)`` and uses no sequence number).
    /// Returns the record's length.
    public func seal(applicationData bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws(DTLSError) -> Int {
        guard let protection, state == .connected else { throw .notConnected }
        guard bytes.count <= 16_384, out.count >= bytes.count + protection.overhead else { throw .recordTooLarge(bytes.count) }
        guard let length = protection.seal(type: 23, bytes, into: out) else {
            fail(.dtlsFailure(alert: nil), detail: "record sequence numbers exhausted or sealing failed")
            throw .dtlsFailure(alert: nil)
        }
        return length
    }

    /// As ``seal(applicationData:into:)``, for `length` bytes of application data that `fill`
    /// writes straight into the record's body in `out` (given exactly `length` bytes; called
    /// once, or again with the same bytes expected should OpenSSL's nonce need resetting),
    /// where they are encrypted in place: an SCTP packet goes from its parts to the socket
    /// buffer in one copy. Returns the record's length.
    public func seal(applicationDataOfLength length: Int, into out: UnsafeMutableRawBufferPointer,
                     writing fill: (UnsafeMutableRawBufferPointer) -> Void) throws(DTLSError) -> Int {
        guard let protection, state == .connected else { throw .notConnected }
        guard length > 0, length <= 16_384, out.count >= length + protection.overhead else { throw .recordTooLarge(length) }
        guard let written = protection.seal(type: 23, length: length, into: out, writing: fill) else {
            fail(.dtlsFailure(alert: nil), detail: "record sequence numbers exhausted or sealing failed")
            throw .dtlsFailure(alert: nil)
        }
        return written
    }

    /// Closes the association: sends `close_notify` when connected; state `closed`.
    public func close() {
        switch state {
        case .closed, .failed: return
        case .connected:
            OpenSSLErrorQueue.clear()
            _ = SSL_shutdown(ssl)  // its close_notify is re-sealed by the native layer if on
            OpenSSLErrorQueue.clear()
        case .new, .connecting: break
        }
        callbackState.clearInbound()
        setState(.closed)
    }

    // MARK: Outputs

    /// The next datagram to send to the peer, or nil.
    public func pollTransmit() -> [UInt8]? {
        callbackState.popOutbound()
    }

    /// When ``handle(timeout:)`` should be called next (during the handshake), or nil.
    public func pollTimeout() -> Instant? {
        guard state == .connecting, !handshakeDone else { return nil }
        var remaining = timeval()
        guard CShim_DTLSv1_get_timeout(ssl, &remaining) == 1 else { return nil }
        let ns = Int64(remaining.tv_sec) * 1_000_000_000 + Int64(remaining.tv_usec) * 1000
        return lastNow + .nanoseconds(ns)
    }

    /// The next event, or nil.
    public func pollEvent() -> DTLSEvent? {
        guard eventHead < events.count else { return nil }
        let event = events[eventHead]
        eventHead += 1
        if eventHead == events.count {
            events.removeAll(keepingCapacity: true)
            eventHead = 0
        }
        return event
    }

    // MARK: Driving OpenSSL

    /// Runs the handshake or reads records until OpenSSL wants more input.
    private func drive() {
        if state == .connecting, !handshakeDone {
            OpenSSLErrorQueue.clear()
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                handshakeDone = true
                completeIfVerified()
            } else {
                let code = SSL_get_error(ssl, result)
                if code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE {
                    handshakeFailed(code: code)
                    return
                }
            }
        }
        if state == .connected { readRecords() }
    }

    /// Moves to `connected` once the handshake is done and the fingerprint checked.
    private func completeIfVerified() {
        guard let der = callbackState.peerCertificateDER else {
            fail(.dtlsFailure(alert: nil), detail: "handshake finished without a peer certificate")
            return
        }
        let expected = callbackState.expectedFingerprints
        if expected.isEmpty { return }  // wait for setRemoteFingerprints
        guard expected.contains(where: { $0.matches(certificateDER: der) }) else {
            fail(.fingerprintFailure, detail: "peer certificate \(CertificateFingerprint(certificateDER: der)) not expected")
            return
        }
        if let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) {
            cipherSuite = String(cString: name)
            // AES-GCM: 8-byte explicit nonce + 16-byte tag; ChaCha20-Poly1305: 16-byte tag only.
            minimumProtectedLength = cipherSuite?.contains("CHACHA20") == true ? 16 : 24
        }
        srtpKeyingMaterial = exportSRTPKeys()
        setState(.connected)
        readRecords()
        if state == .connected { startNativeRecordLayer() }
    }

    /// RFC 5764 §4.2 key export for the negotiated profile; nil when none was negotiated.
    private func exportSRTPKeys() -> SRTPKeyingMaterial? {
        guard let selected = SSL_get_selected_srtp_profile(ssl),
              let profile = SRTPProtectionProfile(rawValue: UInt16(truncatingIfNeeded: selected.pointee.id)) else { return nil }
        var out = [UInt8](repeating: 0, count: 2 * (profile.keyLength + profile.saltLength))
        let label = "EXTRACTOR-dtls_srtp"
        let ok = SSL_export_keying_material(ssl, &out, out.count, label, label.utf8.count, nil, 0, 0)
        guard ok == 1 else { return nil }
        return SRTPKeyingMaterial(profile: profile, exported: out)
    }

    /// Reads every decryptable record queued, as `applicationData` events.
    private func readRecords() {
        while state == .connected {
            OpenSSLErrorQueue.clear()
            let n = readBuffer.withUnsafeMutableBytes { raw in SSL_read(ssl, raw.baseAddress, Int32(raw.count)) }
            if n > 0 {
                events.append(.applicationData(Array(readBuffer[0..<Int(n)])))
                continue
            }
            let code = SSL_get_error(ssl, n)
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify from the peer: answer it, then closed.
                _ = SSL_shutdown(ssl)
                OpenSSLErrorQueue.clear()
                callbackState.clearInbound()
                setState(.closed)
                return
            default:
                fail(.dtlsFailure(alert: callbackState.lastFatalAlert), detail: "SSL_read error \(code): \(OpenSSLErrorQueue.drain())")
                return
            }
        }
    }

    private func handshakeFailed(code: Int32) {
        let detail = "handshake error \(code): \(OpenSSLErrorQueue.drain())"
        if callbackState.fingerprintMismatch {
            fail(.fingerprintFailure, detail: detail)
        } else {
            fail(.dtlsFailure(alert: callbackState.lastFatalAlert), detail: detail)
        }
    }

    private func fail(_ error: DTLSError, detail: String) {
        guard state != .failed, state != .closed else { return }
        self.error = error
        self.failureDetail = detail
        callbackState.clearInbound()
        events.append(.error(error))
        setState(.failed)
    }

    private func setState(_ new: DTLSState) {
        guard new != state else { return }
        state = new
        events.append(.stateChanged(new))
    }
}
