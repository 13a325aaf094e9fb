import DTLS

/// What a signaling client reports to its user.
public enum SignalingClientEvent: Sendable, Equatable {
    /// The connection is authenticated as `device`; queued messages are being sent.
    case authenticated(DeviceID)
    /// A message from the server (signals, presence, rooms, errors).
    case message(ServerMessage)
    /// The connection ended; `reconnectIn` is nil when the client gave up (stopped,
    /// replaced by a newer connection of the same device, or authentication refused).
    case disconnected(code: UInt16?, reason: String, reconnectIn: Duration?)
}

/// Why the client refused a request.
public enum SignalingClientError: Error, Equatable, Sendable {
    /// Not connected, and the bounded send queue is full.
    case queueFull
    /// The client was stopped.
    case stopped
}
