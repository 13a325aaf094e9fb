import DTLS

/// A message the rendezvous server sends to a client (the `type` on the wire in brackets).
public enum ServerMessage: Sendable, Equatable {
    /// [`hello`] The first frame on every connection: the protocol version, a fresh nonce and
    /// the server's identity string, both of which the client signs.
    case hello(version: Int, nonce: [UInt8], server: String)
    /// [`welcome`] Authentication succeeded; the connection now acts for `device`.
    case welcome(device: DeviceID)
    /// [`signal`] An opaque payload from the authenticated device `from`.
    case signal(from: DeviceID, payload: String)
    /// [`presence`] A subscribed device came online or went offline (also sent once on subscribe).
    case presence(device: DeviceID, online: Bool)
    /// [`room-created`] The room is open under `code` and expires after `expiresIn` seconds.
    case roomCreated(code: String, expiresIn: Int)
    /// [`room-joined`] Both members are present (sent to both).
    case roomJoined(code: String)
    /// [`room-message`] An opaque payload from the other member.
    case roomMessage(code: String, payload: String)
    /// [`room-closed`] The room is burnt; `reason` says why.
    case roomClosed(code: String, reason: RoomCloseReason)
    /// [`error`] A request was refused or a frame was malformed; `ref` names what it was about
    /// (the message type, device ID or room code) when that helps.
    case error(code: SignalingErrorCode, message: String, ref: String?)
    /// [`pong`] The answer to `ping`.
    case pong(id: String?)

    /// The wire `type` of this message.
    public var typeName: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .signal: "signal"
        case .presence: "presence"
        case .roomCreated: "room-created"
        case .roomJoined: "room-joined"
        case .roomMessage: "room-message"
        case .roomClosed: "room-closed"
        case .error: "error"
        case .pong: "pong"
        }
    }
}

/// Why a room was burnt.
public enum RoomCloseReason: String, Sendable, Equatable, Codable {
    /// A member reported success.
    case done
    /// A member reported failure.
    case failed
    /// Ten minutes (the configured lifetime) passed.
    case expired
    /// A member disconnected.
    case peerLeft = "peer-left"
}
