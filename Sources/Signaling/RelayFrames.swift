/// `{"type":"signal"}` — relayed between devices: client → server with `to`, server →
/// recipient with `from` (set by the server from the authenticated connection; a client's
/// `from` is ignored). The payload is opaque: the server never reads or changes it.
public struct SignalFrame: Hashable, Sendable, Codable {
    /// The addressed device (client → server).
    public var to: String?
    /// The sending device (server → client).
    public var from: String?
    /// Optional request ID, echoed as `ref` in an error.
    public var id: String?
    /// The opaque payload, e.g. `{"type":"offer","sdp":"…"}` or an ICE candidate.
    public var payload: JSONValue

    /// A signal.
    public init(to: String? = nil, from: String? = nil, id: String? = nil, payload: JSONValue) {
        self.to = to
        self.from = from
        self.id = id
        self.payload = payload
    }

    func validate(fromClient: Bool) throws(SignalingParseError) {
        if fromClient {
            guard let to else { throw .invalidField("to", "required") }
            try SignalingValidation.deviceID(to, field: "to")
        } else {
            guard let from else { throw .invalidField("from", "required") }
            try SignalingValidation.deviceID(from, field: "from")
        }
        try SignalingValidation.requestID(id)
        guard payload.depth <= SignalingLimits.maxPayloadDepth else {
            throw .invalidField("payload", "nested deeper than \(SignalingLimits.maxPayloadDepth)")
        }
    }
}

/// `{"type":"subscribe"}` — client → server: replace this connection's presence subscription
/// with exactly these device IDs (an empty list unsubscribes). The server answers with one
/// `presence` frame per ID, then one on every change.
public struct SubscribeFrame: Hashable, Sendable, Codable {
    /// The devices to watch (≤ 256).
    public var deviceIds: [String]
    /// Optional request ID.
    public var id: String?

    /// A subscription.
    public init(deviceIds: [String], id: String? = nil) {
        self.deviceIds = deviceIds
        self.id = id
    }

    func validate() throws(SignalingParseError) {
        guard deviceIds.count <= SignalingLimits.maxSubscriptions else {
            throw .invalidField("deviceIds", "more than \(SignalingLimits.maxSubscriptions)")
        }
        for d in deviceIds { try SignalingValidation.deviceID(d, field: "deviceIds") }
        try SignalingValidation.requestID(id)
    }
}

/// `{"type":"presence"}` — server → client: a subscribed device came online or went offline.
public struct PresenceFrame: Hashable, Sendable, Codable {
    /// The device.
    public var deviceId: String
    /// Whether it has an authenticated connection now.
    public var online: Bool

    /// A presence update.
    public init(deviceId: String, online: Bool) {
        self.deviceId = deviceId
        self.online = online
    }

    func validate() throws(SignalingParseError) {
        try SignalingValidation.deviceID(deviceId, field: "deviceId")
    }
}
