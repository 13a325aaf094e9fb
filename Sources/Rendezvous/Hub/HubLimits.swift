import Signaling

/// The limits the hub enforces; every one has a clear error frame or close code.
public struct HubLimits: Sendable, Equatable {
    /// Most connections the server holds at once (beyond: `server-full`, close 4005).
    public var maxConnections: Int = 20_000
    /// Most connections from one source address (beyond: `too-many-connections`, close 4006).
    public var maxConnectionsPerAddress: Int = 32
    /// Largest text frame, in bytes (beyond: `message-too-large`, close 1009).
    public var maxFrameBytes: Int = 65_536
    /// Largest `payload`, in bytes (beyond: `payload-too-large`, message dropped).
    public var maxPayloadBytes: Int = 60_000
    /// Sustained messages per second per connection (token-bucket refill rate).
    public var messagesPerSecond: Double = 50
    /// Messages a connection may send in a burst (token-bucket capacity).
    public var messageBurst: Double = 100
    /// Refused messages in a row after which the connection is closed (4004).
    public var rateLimitCloseAfter: Int = 50
    /// Malformed frames after which the connection is closed (4008).
    public var maxMalformedFrames: Int = 20
    /// Most devices one connection may watch for presence.
    public var maxSubscriptions: Int = 1_024
    /// Most open rooms one device may be a member of.
    public var maxRoomsPerDevice: Int = 4
    /// Seconds a room lives at most.
    public var roomLifetimeSeconds: Int = 600
    /// Most `room-message`s one room relays.
    public var maxRoomMessages: Int = 64
    /// Seconds a connection has to authenticate after `hello`.
    public var authTimeoutSeconds: Int = 10
    /// Decimal digits of a server-made room code (4: codes 1–9999).
    public var roomCodeDigits: Int = 4

    /// The defaults above.
    public init() {}

    /// The codec with these frame and payload limits.
    public var codec: SignalingCodec {
        SignalingCodec(maxFrameBytes: maxFrameBytes, maxPayloadBytes: maxPayloadBytes)
    }
}
