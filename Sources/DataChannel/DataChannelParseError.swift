import WireKit

/// Why a DCEP message (RFC 8832) from the peer could not be parsed.
public enum DataChannelParseError: Error, Equatable, Sendable {
    /// The message type byte is neither OPEN (3) nor ACK (2).
    case unknownMessageType(UInt8)
    /// The channel type is not one RFC 8832 defines.
    case unknownChannelType(UInt8)
    /// A field was truncated or not valid UTF-8.
    case wire(WireParseError)
}
