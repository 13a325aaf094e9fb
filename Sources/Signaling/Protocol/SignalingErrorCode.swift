/// The machine-readable `code` of an `error` frame. The raw value is what goes on the wire.
public enum SignalingErrorCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The frame is not valid JSON, lacks a field, or a field has the wrong type or form.
    case badMessage = "bad-message"
    /// The `type` is not one the server knows.
    case unsupportedType = "unsupported-type"
    /// The message needs an authenticated connection.
    case notAuthenticated = "not-authenticated"
    /// `auth` was sent on a connection that already authenticated.
    case alreadyAuthenticated = "already-authenticated"
    /// The signature does not verify for the given key over this connection's nonce.
    case authFailed = "auth-failed"
    /// The certificate or public key could not be parsed, or is not an ECDSA P-256 key.
    case unknownCertificateFormat = "unknown-certificate-format"
    /// The addressed device is not connected (signals are not queued).
    case deviceOffline = "device-offline"
    /// A device ID in the message is malformed.
    case invalidDeviceID = "invalid-device-id"
    /// More messages per second than the connection may send; the message was dropped.
    case rateLimited = "rate-limited"
    /// The frame is larger than the server accepts.
    case messageTooLarge = "message-too-large"
    /// The `payload` is larger than the server accepts.
    case payloadTooLarge = "payload-too-large"
    /// The connection subscribed to more devices than allowed.
    case tooManySubscriptions = "too-many-subscriptions"
    /// The device already holds as many open rooms as it may.
    case roomLimit = "room-limit"
    /// No open room has this code.
    case noSuchRoom = "no-such-room"
    /// The room already has two members.
    case roomFull = "room-full"
    /// A room with the requested code is already open.
    case roomExists = "room-exists"
    /// The room code is malformed.
    case invalidRoom = "invalid-room"
    /// The sender is not a member of the room (or the room has no second member yet).
    case notInRoom = "not-in-room"
    /// The room carried as many messages as one pairing may.
    case roomMessageLimit = "room-message-limit"
    /// The server is at its total connection limit.
    case serverFull = "server-full"
    /// The source address holds as many connections as it may.
    case tooManyConnections = "too-many-connections"
}
