/// `{"type":"create-room"}` — client → server: open a pairing room. Answered by `room-created`.
public struct CreateRoomFrame: Hashable, Sendable, Codable {
    /// Optional request ID.
    public var id: String?
    /// A request.
    public init(id: String? = nil) { self.id = id }
    func validate() throws(SignalingParseError) { try SignalingValidation.requestID(id) }
}

/// `{"type":"room-created"}` — server → creator: the room's nameplate (the number in front of
/// the pairing code) and its lifetime.
public struct RoomCreatedFrame: Hashable, Sendable, Codable {
    /// The nameplate (0–999999; the server hands out the smallest free one).
    public var nameplate: UInt32
    /// Seconds until the room is burnt if unused (600).
    public var expiresIn: Int
    /// The request ID this answers.
    public var ref: String?

    /// A confirmation.
    public init(nameplate: UInt32, expiresIn: Int = 600, ref: String? = nil) {
        self.nameplate = nameplate
        self.expiresIn = expiresIn
        self.ref = ref
    }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.nameplate(nameplate)
        guard expiresIn > 0 else { throw .invalidField("expiresIn", "must be positive") }
        try SignalingValidation.requestID(ref, field: "ref")
    }
}

/// `{"type":"join-room"}` — client → server: join the room with this nameplate (only the
/// nameplate; the words of the code never leave the device).
public struct JoinRoomFrame: Hashable, Sendable, Codable {
    /// The nameplate typed by the user.
    public var nameplate: UInt32
    /// Optional request ID.
    public var id: String?

    /// A request.
    public init(nameplate: UInt32, id: String? = nil) {
        self.nameplate = nameplate
        self.id = id
    }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.nameplate(nameplate)
        try SignalingValidation.requestID(id)
    }
}

/// `{"type":"room-joined"}` (server → joiner) and `{"type":"peer-joined"}` (server → creator):
/// the room now has both members; `room-message`s flow.
public struct RoomJoinedFrame: Hashable, Sendable, Codable {
    /// The room.
    public var nameplate: UInt32
    /// The request ID this answers (joiner only).
    public var ref: String?

    /// A notification.
    public init(nameplate: UInt32, ref: String? = nil) {
        self.nameplate = nameplate
        self.ref = ref
    }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.nameplate(nameplate)
        try SignalingValidation.requestID(ref, field: "ref")
    }
}

/// `{"type":"room-message"}` — relayed verbatim to the other member of the room: the opaque
/// ``PairingMessage`` bytes, base64.
public struct RoomMessageFrame: Hashable, Sendable, Codable {
    /// The room.
    public var nameplate: UInt32
    /// The message bytes (≤ 8192).
    public var body: [UInt8]

    /// A room message.
    public init(nameplate: UInt32, body: [UInt8]) {
        self.nameplate = nameplate
        self.body = body
    }

    enum CodingKeys: String, CodingKey { case nameplate, body }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nameplate = try c.decode(UInt32.self, forKey: .nameplate)
        body = try c.decodeBase64(forKey: .body, maxBytes: SignalingLimits.maxRoomMessageBytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nameplate, forKey: .nameplate)
        try c.encodeBase64(body, forKey: .body)
    }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.nameplate(nameplate)
        guard !body.isEmpty else { throw .invalidField("body", "must not be empty") }
    }
}

/// `{"type":"close-room"}` — client → server: pairing finished; burn the room. A `failure`
/// result also burns it (a wrong guess burns the code).
public struct CloseRoomFrame: Hashable, Sendable, Codable {
    /// How the pairing ended.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// Both sides paired.
        case success
        /// Key confirmation failed, or the user cancelled.
        case failure
    }

    /// The room.
    public var nameplate: UInt32
    /// How it ended.
    public var result: Outcome

    /// A request.
    public init(nameplate: UInt32, result: Outcome) {
        self.nameplate = nameplate
        self.result = result
    }

    func validate() throws(SignalingParseError) { try SignalingValidation.nameplate(nameplate) }
}

/// `{"type":"room-closed"}` — server → members: the room is burnt.
public struct RoomClosedFrame: Hashable, Sendable, Codable {
    /// Why the room ended.
    public enum Reason: String, Hashable, Sendable, Codable {
        /// A member closed it after success.
        case success
        /// A member closed it after failure.
        case failure
        /// Ten minutes passed.
        case expired
        /// The other member disconnected.
        case peerLeft = "peer-left"
    }

    /// The room.
    public var nameplate: UInt32
    /// Why.
    public var reason: Reason

    /// A notification.
    public init(nameplate: UInt32, reason: Reason) {
        self.nameplate = nameplate
        self.reason = reason
    }

    func validate() throws(SignalingParseError) { try SignalingValidation.nameplate(nameplate) }
}
