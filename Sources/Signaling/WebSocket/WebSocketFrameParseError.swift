/// Why `WebSocketFrameReader` gave up on a byte stream; each case names the close code
/// (RFC 6455 §7.4.1) the connection is closed with.
public enum WebSocketFrameParseError: Error, Equatable, Sendable {
    /// A frame that breaks RFC 6455 §5 (reserved bits or opcodes, an unmasked client frame, a
    /// fragmented or over-long control frame, a continuation out of place, too many or empty
    /// fragments): close 1002.
    case protocolViolation(String)
    /// A frame, or a message reassembled from fragments, over the reader's limit: close 1009.
    case messageTooLarge

    /// The close code for this fault: 1002 or 1009.
    public var closeCode: UInt16 {
        switch self {
        case .protocolViolation: 1002
        case .messageTooLarge: 1009
        }
    }

    /// The close reason sent with `closeCode` (at most 123 bytes, as a close frame allows).
    public var reason: String {
        switch self {
        case .protocolViolation(let why): String(why.utf8.prefix(123)) ?? "protocol-error"
        case .messageTooLarge: "message-too-large"
        }
    }
}
