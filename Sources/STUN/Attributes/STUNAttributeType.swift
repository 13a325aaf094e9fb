/// A STUN attribute type number (RFC 8489 §18.3, RFC 8445 §16.1, RFC 8656 §18).
///
/// Types below 0x8000 are comprehension-required: a receiver that does not know them rejects a
/// request with 420 and lists them in UNKNOWN-ATTRIBUTES.
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable {
    /// The 16-bit type number.
    public var rawValue: UInt16
    /// Wraps a type number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// True when a receiver must understand this attribute.
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    /// MAPPED-ADDRESS (0x0001).
    public static let mappedAddress = STUNAttributeType(rawValue: 0x0001)
    /// USERNAME (0x0006).
    public static let username = STUNAttributeType(rawValue: 0x0006)
    /// MESSAGE-INTEGRITY (0x0008).
    public static let messageIntegrity = STUNAttributeType(rawValue: 0x0008)
    /// ERROR-CODE (0x0009).
    public static let errorCode = STUNAttributeType(rawValue: 0x0009)
    /// UNKNOWN-ATTRIBUTES (0x000A).
    public static let unknownAttributes = STUNAttributeType(rawValue: 0x000A)
    /// CHANNEL-NUMBER (0x000C, TURN).
    public static let channelNumber = STUNAttributeType(rawValue: 0x000C)
    /// LIFETIME (0x000D, TURN).
    public static let lifetime = STUNAttributeType(rawValue: 0x000D)
    /// XOR-PEER-ADDRESS (0x0012, TURN).
    public static let xorPeerAddress = STUNAttributeType(rawValue: 0x0012)
    /// DATA (0x0013, TURN).
    public static let data = STUNAttributeType(rawValue: 0x0013)
    /// REALM (0x0014).
    public static let realm = STUNAttributeType(rawValue: 0x0014)
    /// NONCE (0x0015).
    public static let nonce = STUNAttributeType(rawValue: 0x0015)
    /// XOR-RELAYED-ADDRESS (0x0016, TURN).
    public static let xorRelayedAddress = STUNAttributeType(rawValue: 0x0016)
    /// REQUESTED-TRANSPORT (0x0019, TURN).
    public static let requestedTransport = STUNAttributeType(rawValue: 0x0019)
    /// DONT-FRAGMENT (0x001A, TURN).
    public static let dontFragment = STUNAttributeType(rawValue: 0x001A)
    /// MESSAGE-INTEGRITY-SHA256 (0x001C).
    public static let messageIntegritySHA256 = STUNAttributeType(rawValue: 0x001C)
    /// XOR-MAPPED-ADDRESS (0x0020).
    public static let xorMappedAddress = STUNAttributeType(rawValue: 0x0020)
    /// PRIORITY (0x0024, ICE).
    public static let priority = STUNAttributeType(rawValue: 0x0024)
    /// USE-CANDIDATE (0x0025, ICE).
    public static let useCandidate = STUNAttributeType(rawValue: 0x0025)
    /// SOFTWARE (0x8022).
    public static let software = STUNAttributeType(rawValue: 0x8022)
    /// FINGERPRINT (0x8028).
    public static let fingerprint = STUNAttributeType(rawValue: 0x8028)
    /// ICE-CONTROLLED (0x8029).
    public static let iceControlled = STUNAttributeType(rawValue: 0x8029)
    /// ICE-CONTROLLING (0x802A).
    public static let iceControlling = STUNAttributeType(rawValue: 0x802A)
}
