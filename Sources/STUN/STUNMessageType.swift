/// A STUN method (RFC 8489 §5, §18.2; TURN methods from RFC 8656 §17).
public struct STUNMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 12-bit method number.
    public var rawValue: UInt16
    /// Creates a method from its 12-bit number.
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    /// Binding (ICE connectivity checks, server-reflexive discovery, consent).
    public static let binding = STUNMethod(rawValue: 0x001)
    /// TURN Allocate.
    public static let allocate = STUNMethod(rawValue: 0x003)
    /// TURN Refresh.
    public static let refresh = STUNMethod(rawValue: 0x004)
    /// TURN Send (indication).
    public static let send = STUNMethod(rawValue: 0x006)
    /// TURN Data (indication).
    public static let data = STUNMethod(rawValue: 0x007)
    /// TURN CreatePermission.
    public static let createPermission = STUNMethod(rawValue: 0x008)
    /// TURN ChannelBind.
    public static let channelBind = STUNMethod(rawValue: 0x009)

    public var description: String {
        switch self {
        case .binding: return "Binding"
        case .allocate: return "Allocate"
        case .refresh: return "Refresh"
        case .send: return "Send"
        case .data: return "Data"
        case .createPermission: return "CreatePermission"
        case .channelBind: return "ChannelBind"
        default: return "Method(0x\(String(rawValue, radix: 16)))"
        }
    }
}

/// The class of a STUN message (RFC 8489 §5).
public enum STUNClass: UInt8, Hashable, Sendable {
    /// A request, answered by a success or error response.
    case request = 0
    /// An indication: no response.
    case indication = 1
    /// A success response.
    case successResponse = 2
    /// An error response (carries ERROR-CODE).
    case errorResponse = 3
}

/// Method and class together, as encoded in the 14-bit message type field.
public struct STUNMessageType: Hashable, Sendable, CustomStringConvertible {
    /// The method.
    public var method: STUNMethod
    /// The class.
    public var messageClass: STUNClass

    /// Creates a message type.
    public init(method: STUNMethod, messageClass: STUNClass) {
        self.method = method
        self.messageClass = messageClass
    }

    /// Decodes the 16-bit type field (the top two bits must already be known zero).
    public init(rawValue: UInt16) {
        let m = (rawValue & 0x000F) | ((rawValue & 0x00E0) >> 1) | ((rawValue & 0x3E00) >> 2)
        let c = ((rawValue & 0x0010) >> 4) | ((rawValue & 0x0100) >> 7)
        method = STUNMethod(rawValue: m)
        messageClass = STUNClass(rawValue: UInt8(c)) ?? .request
    }

    /// The 16-bit type field.
    public var rawValue: UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | ((c & 1) << 4) | ((m & 0x0070) << 1) | ((c & 2) << 7) | ((m & 0x0F80) << 2)
    }

    public var description: String { "\(method) \(messageClass)" }
}
