/// Why an inbound frame could not be turned into a protocol message.
public enum SignalingParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame is longer than the allowed maximum.
    case tooLarge(bytes: Int, limit: Int)
    /// The frame is not a JSON object of the expected shape.
    case malformedJSON(String)
    /// The `type` field is missing.
    case missingType
    /// The `type` field names no known message.
    case unknownType(String)
    /// A required field is missing.
    case missingField(String)
    /// A field is present but its value is not acceptable.
    case invalidField(String, String)
    /// A device ID field does not parse.
    case invalidDeviceID(String)
    /// The payload exceeds the payload limit.
    case payloadTooLarge(bytes: Int, limit: Int)

    /// The error code an `error` frame carries for this problem.
    public var errorCode: SignalingErrorCode {
        switch self {
        case .tooLarge: .messageTooLarge
        case .malformedJSON, .missingType, .missingField, .invalidField: .badMessage
        case .unknownType: .unsupportedType
        case .invalidDeviceID: .invalidDeviceID
        case .payloadTooLarge: .payloadTooLarge
        }
    }

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "frame of \(bytes) bytes exceeds the limit of \(limit)"
        case .malformedJSON(let why): "malformed JSON: \(why)"
        case .missingType: "missing \"type\""
        case .unknownType(let type): "unknown type \"\(type.prefix(40))\""
        case .missingField(let name): "missing field \"\(name)\""
        case .invalidField(let name, let why): "invalid field \"\(name)\": \(why)"
        case .invalidDeviceID(let why): "invalid device ID: \(why)"
        case .payloadTooLarge(let bytes, let limit): "payload of \(bytes) bytes exceeds the limit of \(limit)"
        }
    }
}
