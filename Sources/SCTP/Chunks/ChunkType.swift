/// SCTP chunk type codes (RFC 9260 §3.2, RFC 3758, RFC 6525).
public enum ChunkType {
    /// Payload data (DATA).
    public static let data: UInt8 = 0
    /// Association initiation (INIT).
    public static let initiation: UInt8 = 1
    /// Initiation acknowledgement (INIT ACK).
    public static let initiationAck: UInt8 = 2
    /// Selective acknowledgement (SACK).
    public static let sack: UInt8 = 3
    /// Heartbeat request.
    public static let heartbeat: UInt8 = 4
    /// Heartbeat acknowledgement.
    public static let heartbeatAck: UInt8 = 5
    /// Abort.
    public static let abort: UInt8 = 6
    /// Shutdown.
    public static let shutdown: UInt8 = 7
    /// Shutdown acknowledgement.
    public static let shutdownAck: UInt8 = 8
    /// Operation error.
    public static let error: UInt8 = 9
    /// State cookie echo.
    public static let cookieEcho: UInt8 = 10
    /// Cookie acknowledgement.
    public static let cookieAck: UInt8 = 11
    /// Shutdown complete.
    public static let shutdownComplete: UInt8 = 14
    /// Padding (PAD, RFC 4820): fills a PLPMTUD probe to its size; receivers skip it.
    public static let pad: UInt8 = 0x84
    /// Interleaved payload data (I-DATA, RFC 8260).
    public static let iData: UInt8 = 64
    /// Stream re-configuration (RFC 6525).
    public static let reconfig: UInt8 = 130
    /// Forward cumulative TSN (RFC 3758).
    public static let forwardTSN: UInt8 = 192
    /// Forward cumulative TSN for I-DATA (I-FORWARD-TSN, RFC 8260).
    public static let iForwardTSN: UInt8 = 194
}
