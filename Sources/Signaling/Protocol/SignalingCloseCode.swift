/// WebSocket close codes the rendezvous server uses (4000–4999 is the private-use range).
public enum SignalingCloseCode: UInt16, Sendable, Hashable, CaseIterable {
    /// The server is shutting down (RFC 6455 "going away").
    case goingAway = 1001
    /// A frame exceeded the size limit (RFC 6455 "message too big").
    case messageTooLarge = 1009
    /// Authentication failed (bad signature, unknown key format, wrong transcript).
    case authFailed = 4001
    /// No valid `auth` arrived within the authentication timeout.
    case authTimeout = 4002
    /// The same device connected again; this older connection is replaced.
    case replaced = 4003
    /// The connection kept sending faster than its rate limit.
    case rateLimited = 4004
    /// The server holds its maximum number of connections.
    case serverFull = 4005
    /// The source address holds its maximum number of connections.
    case tooManyConnections = 4006
    /// The connection could not keep up with its outbound traffic.
    case slowConsumer = 4007
    /// The connection sent too many malformed frames.
    case protocolViolation = 4008

    /// The short reason text sent with the close frame.
    public var reason: String {
        switch self {
        case .goingAway: "server-shutdown"
        case .messageTooLarge: "message-too-large"
        case .authFailed: "auth-failed"
        case .authTimeout: "auth-timeout"
        case .replaced: "replaced-by-newer-connection"
        case .rateLimited: "rate-limited"
        case .serverFull: "server-full"
        case .tooManyConnections: "too-many-connections"
        case .slowConsumer: "slow-consumer"
        case .protocolViolation: "protocol-violation"
        }
    }
}
