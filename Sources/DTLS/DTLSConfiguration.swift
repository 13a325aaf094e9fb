/// How a ``DTLSEndpoint`` behaves: role, identity, what to expect of the peer, and limits.
public struct DTLSConfiguration: Sendable {
    /// Client (sends the ClientHello) or server.
    public var role: DTLSRole
    /// This device's key and certificate.
    public var identity: DeviceIdentity
    /// The fingerprints from the remote SDP (`a=fingerprint`); the peer certificate must match
    /// one. May be empty at first and set later with ``DTLSEndpoint/setRemoteFingerprints(_:)``:
    /// the endpoint then stays `connecting` until it can check.
    public var remoteFingerprints: [CertificateFingerprint]
    /// The largest datagram the endpoint sends (handshake flights are fragmented to fit).
    /// 1200 by default, which fits every path WebRTC runs on.
    public var mtu: Int = 1200
    /// SRTP profiles offered (client) or accepted (server) in `use_srtp`, in preference order.
    /// Empty disables the extension.
    public var srtpProfiles: [SRTPProtectionProfile] = [.aeadAES128GCM, .aes128CMSHA1_80]
    /// The first handshake retransmission timeout; each retransmission doubles it.
    public var initialRetransmissionTimeout: Duration = .milliseconds(100)
    /// The ceiling of the doubling retransmission timeout.
    public var maximumRetransmissionTimeout: Duration = .seconds(3)
    /// The cipher suites (OpenSSL names, DTLS 1.2), in preference order: what browsers negotiate.
    public var cipherList: String = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-AES256-GCM-SHA384"
    /// Whether application data is sealed and opened by ``DTLSEndpoint``'s own AEAD record code
    /// once the handshake is done (AES-GCM and ChaCha20-Poly1305 suites), rather than by
    /// OpenSSL's record layer through the BIO; OpenSSL keeps the handshake and every other
    /// record either way. On the wire the two are the same; false is for comparisons and tests.
    public var nativeRecordLayer: Bool = true
    /// The key-exchange groups, in preference order.
    public var groups: String = "X25519:P-256:P-384"

    /// A configuration with the defaults above.
    public init(role: DTLSRole, identity: DeviceIdentity, remoteFingerprints: [CertificateFingerprint]) {
        self.role = role
        self.identity = identity
        self.remoteFingerprints = remoteFingerprints
    }
}
