/// SCTP payload protocol identifiers used by WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).
public enum PPID {
    /// DCEP control messages.
    public static let dcep: UInt32 = 50
    /// UTF-8 text message.
    public static let string: UInt32 = 51
    /// Deprecated partial text message (tolerated on receive).
    public static let stringPartial: UInt32 = 52
    /// Binary message.
    public static let binary: UInt32 = 53
    /// Deprecated partial binary message (tolerated on receive).
    public static let binaryPartial: UInt32 = 54
    /// Empty text message (sent with one padding byte).
    public static let stringEmpty: UInt32 = 56
    /// Empty binary message (sent with one padding byte).
    public static let binaryEmpty: UInt32 = 57
}
