/// `{"type":"error","code":…,"message":…,"ref":…}`: the server refusing a request or reporting
/// a problem. Frames that end the connection are followed by a WebSocket close with
/// ``SignalingCloseCode``.
public struct ErrorFrame: Hashable, Sendable, Codable {
    /// The machine-readable reason.
    public var code: SignalingErrorCode
    /// Human-readable detail (≤ 512 characters; never contains secrets).
    public var message: String
    /// The `id` of the request that caused it, if it had one.
    public var ref: String?

    /// An error frame.
    public init(code: SignalingErrorCode, message: String, ref: String? = nil) {
        self.code = code
        self.message = message
        self.ref = ref
    }

    func validate() throws(SignalingParseError) {
        guard message.count <= SignalingLimits.maxErrorMessageLength else {
            throw .invalidField("message", "longer than \(SignalingLimits.maxErrorMessageLength)")
        }
        try SignalingValidation.requestID(ref, field: "ref")
    }
}

/// The error codes of the rendezvous protocol. Unknown codes from a newer server decode as
/// ``unknown``.
public enum SignalingErrorCode: String, Hashable, Sendable, Codable, CaseIterable {
    /// The frame is not valid JSON or breaks a field rule.
    case badFrame = "bad-frame"
    /// The frame exceeds the size limit (the connection is closed with 1009).
    case frameTooLarge = "frame-too-large"
    /// The `type` is unknown or not allowed in this direction.
    case unknownType = "unknown-type"
    /// The request needs an authenticated connection.
    case authRequired = "auth-required"
    /// The certificate or signature did not verify (closed with 4001).
    case authFailed = "auth-failed"
    /// The authentication did not arrive in time (closed with 4002).
    case authTimeout = "auth-timeout"
    /// The addressed device is not connected; the signal was dropped (no queue).
    case peerOffline = "peer-offline"
    /// Too many messages per second on this connection.
    case rateLimited = "rate-limited"
    /// Too many connections from this address, or in total (closed with 4029).
    case tooManyConnections = "too-many-connections"
    /// This device already has the maximum number of open rooms.
    case tooManyRooms = "too-many-rooms"
    /// Too many presence subscriptions.
    case tooManySubscriptions = "too-many-subscriptions"
    /// No open room has this nameplate (never existed, expired or burnt).
    case roomNotFound = "room-not-found"
    /// The room already has two members.
    case roomFull = "room-full"
    /// The sender is not a member of the room.
    case notInRoom = "not-in-room"
    /// A newer connection of the same device replaced this one (closed with 4000).
    case superseded = "superseded"
    /// The server is shutting down (closed with 1001).
    case shuttingDown = "shutting-down"
    /// An internal server error.
    case `internal` = "internal"
    /// A code this client does not know.
    case unknown = "unknown"

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = SignalingErrorCode(rawValue: raw) ?? .unknown
    }
}

/// WebSocket close codes the server uses (RFC 6455 §7.4; 4000–4999 are application codes).
public enum SignalingCloseCode: UInt16, Sendable, CaseIterable {
    /// Normal closure.
    case normal = 1000
    /// The server is going away (shutdown).
    case goingAway = 1001
    /// Protocol violation: malformed frames after a warning, or binary frames.
    case policyViolation = 1008
    /// A frame exceeded ``SignalingLimits/maxFrameBytes``.
    case messageTooBig = 1009
    /// A newer connection of the same device replaced this one.
    case superseded = 4000
    /// Authentication failed.
    case authFailed = 4001
    /// Authentication did not complete in time.
    case authTimeout = 4002
    /// Connection limits (per address or total) or sustained rate-limit violations.
    case tooManyConnections = 4029
}
