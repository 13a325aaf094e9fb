/// Size and count limits of the rendezvous wire protocol (docs/rendezvous-protocol.md).
/// Both the server and clients enforce them when parsing.
public enum SignalingLimits {
    /// Largest frame (one WebSocket text message), in bytes of UTF-8 JSON.
    public static let maxFrameBytes = 65_536
    /// Longest device ID.
    public static let maxDeviceIDLength = 128
    /// Size of the authentication nonce.
    public static let nonceBytes = 32
    /// Largest certificate (DER).
    public static let maxCertificateBytes = 4096
    /// Largest signature (DER ECDSA; P-256 needs at most 72).
    public static let maxSignatureBytes = 256
    /// Longest server identity string.
    public static let maxServerIdentityLength = 256
    /// Deepest nesting of a `signal` payload.
    public static let maxPayloadDepth = 16
    /// Most device IDs in one `subscribe`.
    public static let maxSubscriptions = 256
    /// Largest room nameplate.
    public static let maxNameplate: UInt32 = 999_999
    /// Largest room message body (decoded bytes).
    public static let maxRoomMessageBytes = 8192
    /// Longest request ID (`id`, echoed as `ref`).
    public static let maxRequestIDLength = 64
    /// Longest error message text.
    public static let maxErrorMessageLength = 512
}
