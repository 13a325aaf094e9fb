import WireKit

/// One decoded STUN attribute (RFC 8489 §14, ICE's from RFC 8445 §16.1, TURN's from RFC 8656 §18).
///
/// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are not in this enum: ``STUNMessage`` adds and
/// checks them itself when encoding and decoding, since they cover the bytes before them.
public enum STUNAttribute: Hashable, Sendable {
    /// MAPPED-ADDRESS (legacy, un-XORed).
    case mappedAddress(TransportAddress)
    /// XOR-MAPPED-ADDRESS: the reflexive address the server saw.
    case xorMappedAddress(TransportAddress)
    /// XOR-PEER-ADDRESS (TURN): a peer's address.
    case xorPeerAddress(TransportAddress)
    /// XOR-RELAYED-ADDRESS (TURN): the relayed transport address of an allocation.
    case xorRelayedAddress(TransportAddress)
    /// USERNAME.
    case username(String)
    /// ERROR-CODE.
    case errorCode(STUNErrorCode)
    /// UNKNOWN-ATTRIBUTES: the comprehension-required types a server did not understand.
    case unknownAttributes([UInt16])
    /// REALM.
    case realm(String)
    /// NONCE.
    case nonce(String)
    /// SOFTWARE.
    case software(String)
    /// PRIORITY (ICE): the priority a peer-reflexive candidate would get.
    case priority(UInt32)
    /// USE-CANDIDATE (ICE): the controlling agent nominates this pair.
    case useCandidate
    /// ICE-CONTROLLED with the sender's tie-breaker.
    case iceControlled(UInt64)
    /// ICE-CONTROLLING with the sender's tie-breaker.
    case iceControlling(UInt64)
    /// LIFETIME (TURN), in seconds.
    case lifetime(UInt32)
    /// REQUESTED-TRANSPORT (TURN): protocol number (17 = UDP).
    case requestedTransport(UInt8)
    /// CHANNEL-NUMBER (TURN).
    case channelNumber(UInt16)
    /// DATA (TURN): application bytes in a Send/Data indication.
    case data([UInt8])
    /// DONT-FRAGMENT (TURN).
    case dontFragment
    /// Any attribute this codec does not model: kept as raw bytes.
    case other(type: UInt16, value: [UInt8])

    /// The attribute's type number.
    public var type: STUNAttributeType {
        switch self {
        case .mappedAddress: return .mappedAddress
        case .xorMappedAddress: return .xorMappedAddress
        case .xorPeerAddress: return .xorPeerAddress
        case .xorRelayedAddress: return .xorRelayedAddress
        case .username: return .username
        case .errorCode: return .errorCode
        case .unknownAttributes: return .unknownAttributes
        case .realm: return .realm
        case .nonce: return .nonce
        case .software: return .software
        case .priority: return .priority
        case .useCandidate: return .useCandidate
        case .iceControlled: return .iceControlled
        case .iceControlling: return .iceControlling
        case .lifetime: return .lifetime
        case .requestedTransport: return .requestedTransport
        case .channelNumber: return .channelNumber
        case .data: return .data
        case .dontFragment: return .dontFragment
        case .other(let type, _): return STUNAttributeType(rawValue: type)
        }
    }

    /// Decodes one attribute value. Unknown types become ``other(type:value:)``.
    static func decode(type: UInt16, value: ArraySlice<UInt8>, transactionID: STUNTransactionID) throws(STUNParseError) -> STUNAttribute {
        func text(_ limit: Int) throws(STUNParseError) -> String {
            guard value.count <= limit else { throw .badAttribute(type: type, reason: "longer than \(limit) bytes") }
            guard let s = String(validating: value, as: UTF8.self) else { throw .badAttribute(type: type, reason: "invalid UTF-8") }
            return s
        }
        func integer(_ size: Int) throws(STUNParseError) -> UInt64 {
            guard value.count == size else { throw .badAttribute(type: type, reason: "expected \(size) bytes, got \(value.count)") }
            return value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        switch STUNAttributeType(rawValue: type) {
        case .mappedAddress: return .mappedAddress(try AddressAttribute.decode(value, type: type, xorWith: nil))
        case .xorMappedAddress: return .xorMappedAddress(try AddressAttribute.decode(value, type: type, xorWith: transactionID))
        case .xorPeerAddress: return .xorPeerAddress(try AddressAttribute.decode(value, type: type, xorWith: transactionID))
        case .xorRelayedAddress: return .xorRelayedAddress(try AddressAttribute.decode(value, type: type, xorWith: transactionID))
        case .username: return .username(try text(513))
        case .errorCode: return .errorCode(try STUNErrorCode.decode(value))
        case .unknownAttributes:
            guard value.count % 2 == 0 else { throw .badAttribute(type: type, reason: "odd length") }
            var types = [UInt16]()
            var i = value.startIndex
            while i + 1 < value.endIndex { types.append(UInt16(value[i]) << 8 | UInt16(value[i + 1])); i += 2 }
            return .unknownAttributes(types)
        case .realm: return .realm(try text(763))
        case .nonce: return .nonce(try text(763))
        case .software: return .software(try text(763))
        case .priority: return .priority(UInt32(try integer(4)))
        case .useCandidate:
            guard value.isEmpty else { throw .badAttribute(type: type, reason: "USE-CANDIDATE has a value") }
            return .useCandidate
        case .iceControlled: return .iceControlled(try integer(8))
        case .iceControlling: return .iceControlling(try integer(8))
        case .lifetime: return .lifetime(UInt32(try integer(4)))
        case .requestedTransport:
            guard value.count == 4 else { throw .badAttribute(type: type, reason: "expected 4 bytes") }
            return .requestedTransport(value[value.startIndex])
        case .channelNumber:
            guard value.count == 4 else { throw .badAttribute(type: type, reason: "expected 4 bytes") }
            return .channelNumber(UInt16(value[value.startIndex]) << 8 | UInt16(value[value.startIndex + 1]))
        case .data: return .data(Array(value))
        case .dontFragment: return .dontFragment
        default: return .other(type: type, value: Array(value))
        }
    }

    /// The encoded value (without TLV header or padding).
    func encodeValue(transactionID: STUNTransactionID) -> [UInt8] {
        var w = ByteWriter(capacity: 16)
        switch self {
        case .mappedAddress(let a): return AddressAttribute.encode(a, xorWith: nil)
        case .xorMappedAddress(let a), .xorPeerAddress(let a), .xorRelayedAddress(let a):
            return AddressAttribute.encode(a, xorWith: transactionID)
        case .username(let s), .realm(let s), .nonce(let s), .software(let s): return Array(s.utf8)
        case .errorCode(let e): return e.encode()
        case .unknownAttributes(let types): for t in types { w.writeUInt16(t) }
        case .priority(let p): w.writeUInt32(p)
        case .useCandidate, .dontFragment: return []
        case .iceControlled(let t), .iceControlling(let t): w.writeUInt64(t)
        case .lifetime(let l): w.writeUInt32(l)
        case .requestedTransport(let p): w.writeUInt8(p); w.writeZeros(3)
        case .channelNumber(let n): w.writeUInt16(n); w.writeZeros(2)
        case .data(let d): return d
        case .other(_, let v): return v
        }
        return w.bytes
    }
}
