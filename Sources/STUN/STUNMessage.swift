import WireKit

/// A STUN message: type, transaction ID and attributes (RFC 8489 §5–§6).
///
/// Encoding appends MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT when asked. Decoding keeps the
/// raw bytes so that ``verifyIntegrity(key:)`` and the fingerprint check cover exactly what the
/// sender signed. Attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored, as
/// §14.5 requires; anything after FINGERPRINT is a parse error.
public struct STUNMessage: Hashable, Sendable {
    /// The magic cookie every RFC 5389+ message carries.
    public static let magicCookie: UInt32 = 0x2112_A442
    /// The FINGERPRINT XOR constant ("STUN").
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// Method and class.
    public var type: STUNMessageType
    /// The transaction ID.
    public var transactionID: STUNTransactionID
    /// The attributes, in order (integrity and fingerprint excluded).
    public var attributes: [STUNAttribute]

    /// Set by ``decode(_:)``: the raw message, for integrity checks.
    public private(set) var raw: [UInt8] = []
    /// Set by ``decode(_:)``: offset of MESSAGE-INTEGRITY's TLV header and its value, if present.
    private var integrity: (offset: Int, algorithm: STUNIntegrityAlgorithm, value: [UInt8])?
    /// Set by ``decode(_:)``: whether a FINGERPRINT was present (it is verified while decoding).
    public private(set) var hadFingerprint = false
    /// Set by ``decode(_:)``: comprehension-required attribute types that this codec does not know.
    public private(set) var unknownComprehensionRequired: [UInt16] = []

    /// Creates a message to encode.
    public init(type: STUNMessageType, transactionID: STUNTransactionID, attributes: [STUNAttribute] = []) {
        self.type = type
        self.transactionID = transactionID
        self.attributes = attributes
    }

    public static func == (lhs: STUNMessage, rhs: STUNMessage) -> Bool {
        lhs.type == rhs.type && lhs.transactionID == rhs.transactionID && lhs.attributes == rhs.attributes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type); hasher.combine(transactionID); hasher.combine(attributes)
    }

    /// True when the message carries MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256.
    public var hasIntegrity: Bool { integrity != nil }

    // MARK: Lookup

    /// The first attribute of `type`, if any.
    public func attribute(_ type: STUNAttributeType) -> STUNAttribute? {
        attributes.first { $0.type == type }
    }

    /// USERNAME, if present.
    public var username: String? { if case .username(let s)? = attribute(.username) { return s }; return nil }
    /// ERROR-CODE, if present.
    public var errorCode: STUNErrorCode? { if case .errorCode(let e)? = attribute(.errorCode) { return e }; return nil }
    /// XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS as a fallback), if present.
    public var mappedAddress: TransportAddress? {
        if case .xorMappedAddress(let a)? = attribute(.xorMappedAddress) { return a }
        if case .mappedAddress(let a)? = attribute(.mappedAddress) { return a }
        return nil
    }
    /// REALM, if present.
    public var realm: String? { if case .realm(let s)? = attribute(.realm) { return s }; return nil }
    /// NONCE, if present.
    public var nonce: String? { if case .nonce(let s)? = attribute(.nonce) { return s }; return nil }
    /// PRIORITY, if present.
    public var priority: UInt32? { if case .priority(let p)? = attribute(.priority) { return p }; return nil }
    /// True when USE-CANDIDATE is present.
    public var useCandidate: Bool { attribute(.useCandidate) != nil }
    /// ICE-CONTROLLING's tie-breaker, if present.
    public var iceControlling: UInt64? { if case .iceControlling(let t)? = attribute(.iceControlling) { return t }; return nil }
    /// ICE-CONTROLLED's tie-breaker, if present.
    public var iceControlled: UInt64? { if case .iceControlled(let t)? = attribute(.iceControlled) { return t }; return nil }

    // MARK: Encode

    /// Encodes the message, optionally signing it with `key` and appending FINGERPRINT.
    public func encode(key: STUNIntegrityKey? = nil, algorithm: STUNIntegrityAlgorithm = .sha1, fingerprint: Bool = false) -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        w.writeUInt16(type.rawValue)
        w.writeUInt16(0)
        w.writeUInt32(Self.magicCookie)
        w.writeBytes(transactionID.bytes)
        for attribute in attributes {
            let value = attribute.encodeValue(transactionID: transactionID)
            w.writeUInt16(attribute.type.rawValue)
            w.writeUInt16(UInt16(clamping: value.count))
            w.writeBytes(value)
            w.pad(to: 4)
        }
        if let key {
            let size = algorithm == .sha1 ? 20 : 32
            w.setUInt16(UInt16(clamping: w.count - 20 + 4 + size), at: 2)
            let mac = algorithm == .sha1
                ? STUNCrypto.hmacSHA1(key: key.bytes, data: w.bytes[...])
                : STUNCrypto.hmacSHA256(key: key.bytes, data: w.bytes[...])
            w.writeUInt16(algorithm == .sha1 ? STUNAttributeType.messageIntegrity.rawValue : STUNAttributeType.messageIntegritySHA256.rawValue)
            w.writeUInt16(UInt16(size))
            w.writeBytes(mac)
        }
        if fingerprint {
            w.setUInt16(UInt16(clamping: w.count - 20 + 8), at: 2)
            let crc = CRC32.checksum(w.bytes) ^ Self.fingerprintXOR
            w.writeUInt16(STUNAttributeType.fingerprint.rawValue)
            w.writeUInt16(4)
            w.writeUInt32(crc)
        } else {
            w.setUInt16(UInt16(clamping: w.count - 20), at: 2)
        }
        return w.bytes
    }

    // MARK: Decode

    /// True when `bytes` look like STUN (first two bits zero, magic cookie, sane length): a cheap
    /// check before ``decode(_:)``.
    public static func isSTUN(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20, bytes[0] & 0xC0 == 0, bytes.count % 4 == 0 else { return false }
        return bytes[4] == 0x21 && bytes[5] == 0x12 && bytes[6] == 0xA4 && bytes[7] == 0x42
    }

    /// Decodes a STUN message. A present FINGERPRINT is verified (a mismatch is a parse error);
    /// MESSAGE-INTEGRITY is kept for ``verifyIntegrity(key:)``.
    public static func decode(_ bytes: [UInt8]) throws(STUNParseError) -> STUNMessage {
        guard bytes.count >= 20 else { throw .truncated(needed: 20, available: bytes.count) }
        guard bytes[0] & 0xC0 == 0,
              bytes[4] == 0x21, bytes[5] == 0x12, bytes[6] == 0xA4, bytes[7] == 0x42 else { throw .notSTUN }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length % 4 == 0, length + 20 == bytes.count else { throw .badLength(declared: length, actual: bytes.count) }
        let rawType = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let id = STUNTransactionID(uncheckedBytes: Array(bytes[8..<20]))
        var message = STUNMessage(type: STUNMessageType(rawValue: rawType), transactionID: id)
        message.raw = bytes

        var offset = 20
        var afterIntegrity = false
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .truncated(needed: 4, available: bytes.count - offset) }
            let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let valueStart = offset + 4
            guard valueLength <= bytes.count - valueStart else {
                throw .truncated(needed: valueLength, available: bytes.count - valueStart)
            }
            let value = bytes[valueStart..<(valueStart + valueLength)]
            let padded = (valueLength + 3) & ~3
            guard padded <= bytes.count - valueStart else { throw .truncated(needed: padded, available: bytes.count - valueStart) }
            let next = valueStart + padded

            switch STUNAttributeType(rawValue: type) {
            case .fingerprint:
                guard valueLength == 4 else { throw .badAttribute(type: type, reason: "FINGERPRINT must be 4 bytes") }
                guard next == bytes.count else { throw .malformed("attributes after FINGERPRINT") }
                let declared = value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                var covered = Array(bytes[0..<offset])
                covered[2] = UInt8(length >> 8); covered[3] = UInt8(length & 0xFF)
                guard CRC32.checksum(covered) ^ fingerprintXOR == declared else { throw .malformed("FINGERPRINT mismatch") }
                message.hadFingerprint = true
            case .messageIntegrity, .messageIntegritySHA256:
                if !afterIntegrity {
                    let sha1 = type == STUNAttributeType.messageIntegrity.rawValue
                    if sha1 {
                        guard valueLength == 20 else { throw .badAttribute(type: type, reason: "MESSAGE-INTEGRITY must be 20 bytes") }
                    } else {
                        guard (16...32).contains(valueLength), valueLength % 4 == 0 else {
                            throw .badAttribute(type: type, reason: "MESSAGE-INTEGRITY-SHA256 size \(valueLength)")
                        }
                    }
                    message.integrity = (offset, sha1 ? .sha1 : .sha256, Array(value))
                    afterIntegrity = true
                }
            default:
                if !afterIntegrity {
                    let attribute = try STUNAttribute.decode(type: type, value: value, transactionID: id)
                    if case .other = attribute, STUNAttributeType(rawValue: type).isComprehensionRequired {
                        message.unknownComprehensionRequired.append(type)
                    }
                    message.attributes.append(attribute)
                }
            }
            offset = next
        }
        return message
    }

    /// Checks MESSAGE-INTEGRITY (or -SHA256) of a decoded message against `key`.
    /// False when the message has none or it does not match.
    public func verifyIntegrity(key: STUNIntegrityKey) -> Bool {
        guard let integrity, integrity.offset <= raw.count, raw.count >= 20 else { return false }
        var covered = Array(raw[0..<integrity.offset])
        let macSize = integrity.value.count
        let adjusted = integrity.offset - 20 + 4 + macSize
        covered[2] = UInt8(truncatingIfNeeded: adjusted >> 8); covered[3] = UInt8(truncatingIfNeeded: adjusted)
        let mac: [UInt8]
        switch integrity.algorithm {
        case .sha1: mac = STUNCrypto.hmacSHA1(key: key.bytes, data: covered[...])
        case .sha256: mac = Array(STUNCrypto.hmacSHA256(key: key.bytes, data: covered[...]).prefix(macSize))
        }
        return constantTimeEquals(mac, integrity.value)
    }

    private func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
