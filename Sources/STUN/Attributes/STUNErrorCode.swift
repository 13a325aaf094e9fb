import WireKit

/// The ERROR-CODE attribute: a number from 300 to 699 and a reason phrase (RFC 8489 §14.8).
public struct STUNErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The code (e.g. 401, 487).
    public var code: Int
    /// The human-readable reason.
    public var reason: String

    /// Creates an error code.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 300 Try Alternate.
    public static let tryAlternate = STUNErrorCode(code: 300, reason: "Try Alternate")
    /// 400 Bad Request.
    public static let badRequest = STUNErrorCode(code: 400, reason: "Bad Request")
    /// 401 Unauthenticated.
    public static let unauthenticated = STUNErrorCode(code: 401, reason: "Unauthenticated")
    /// 403 Forbidden.
    public static let forbidden = STUNErrorCode(code: 403, reason: "Forbidden")
    /// 420 Unknown Attribute.
    public static let unknownAttribute = STUNErrorCode(code: 420, reason: "Unknown Attribute")
    /// 437 Allocation Mismatch (TURN).
    public static let allocationMismatch = STUNErrorCode(code: 437, reason: "Allocation Mismatch")
    /// 438 Stale Nonce.
    public static let staleNonce = STUNErrorCode(code: 438, reason: "Stale Nonce")
    /// 441 Wrong Credentials (TURN).
    public static let wrongCredentials = STUNErrorCode(code: 441, reason: "Wrong Credentials")
    /// 442 Unsupported Transport Protocol (TURN).
    public static let unsupportedTransport = STUNErrorCode(code: 442, reason: "Unsupported Transport Protocol")
    /// 486 Allocation Quota Reached (TURN).
    public static let allocationQuotaReached = STUNErrorCode(code: 486, reason: "Allocation Quota Reached")
    /// 487 Role Conflict (ICE).
    public static let roleConflict = STUNErrorCode(code: 487, reason: "Role Conflict")
    /// 500 Server Error.
    public static let serverError = STUNErrorCode(code: 500, reason: "Server Error")

    static func decode(_ value: ArraySlice<UInt8>) throws(STUNParseError) -> STUNErrorCode {
        let type = STUNAttributeType.errorCode.rawValue
        guard value.count >= 4 else { throw .badAttribute(type: type, reason: "shorter than 4 bytes") }
        let start = value.startIndex
        let cls = Int(value[start + 2] & 0x07)
        let number = Int(value[start + 3])
        guard (3...6).contains(cls), number < 100 else { throw .badAttribute(type: type, reason: "code out of range") }
        let reasonBytes = value[(start + 4)...]
        let reason = String(validating: reasonBytes, as: UTF8.self) ?? String(decoding: reasonBytes, as: UTF8.self)
        return STUNErrorCode(code: cls * 100 + number, reason: reason)
    }

    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 4 + reason.utf8.count)
        w.writeUInt16(0)
        w.writeUInt8(UInt8(clamping: code / 100))
        w.writeUInt8(UInt8(clamping: code % 100))
        w.writeBytes(reason.utf8.prefix(763))
        return w.bytes
    }

    public var description: String { "\(code) \(reason)" }
}
