#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DTLS

/// Turns protocol messages into JSON text frames and back, enforcing the size limits.
///
/// Both directions are here so the server and the client (and tests) share one definition.
/// Decoding never traps: anything unexpected becomes a `SignalingParseError`.
public struct SignalingCodec: Sendable {
    /// The largest frame accepted, in bytes of UTF-8.
    public var maxFrameBytes: Int
    /// The largest `payload` accepted, in bytes of UTF-8.
    public var maxPayloadBytes: Int
    /// The most device IDs one `subscribe` or `unsubscribe` may name.
    public var maxDevicesPerMessage: Int

    /// A codec with the given limits (defaults match the server's defaults).
    public init(maxFrameBytes: Int = 65_536, maxPayloadBytes: Int = 60_000, maxDevicesPerMessage: Int = 256) {
        self.maxFrameBytes = maxFrameBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.maxDevicesPerMessage = maxDevicesPerMessage
    }

    // MARK: Client → server

    /// Parses a frame a client sent.
    public func decodeClientMessage(_ text: String) throws(SignalingParseError) -> ClientMessage {
        // The relay's hot path: a plain `signal` frame is read without JSONDecoder. Whatever the
        // scanner does not recognise goes through the general decoder (same results, same errors).
        try checkSize(text)
        if let (to, payload) = SignalFrameScanner.scan(text, peerKey: SignalFrameScanner.toKey) {
            return .signal(to: try deviceField(to, "to"), payload: try payloadField(payload))
        }
        return try decodeClientMessageGenerally(text)
    }

    /// Parses a frame a client sent with the general (JSONDecoder) path only: the reference
    /// the `signal` shortcut is checked against.
    func decodeClientMessageGenerally(_ text: String) throws(SignalingParseError) -> ClientMessage {
        let frame = try decodeFrame(text)
        guard let type = frame.type else { throw .missingType }
        switch type {
        case "auth":
            let signature = try base64Field(frame.signature, "signature")
            let format: AuthProof.SignatureFormat
            switch frame.signatureFormat {
            case nil, "der": format = .der
            case "raw": format = .raw
            case .some: throw .invalidField("signatureFormat", "must be \"der\" or \"raw\"")
            }
            switch (frame.certificate, frame.publicKey) {
            case (let cert?, nil):
                return .auth(AuthProof(credential: .certificate(try base64Field(cert, "certificate")), signature: signature, signatureFormat: format))
            case (nil, let key?):
                return .auth(AuthProof(credential: .publicKey(try base64Field(key, "publicKey")), signature: signature, signatureFormat: format))
            case (nil, nil): throw .missingField("certificate")
            case (.some, .some): throw .invalidField("publicKey", "give either certificate or publicKey, not both")
            }
        case "signal":
            return .signal(to: try deviceField(frame.to, "to"), payload: try payloadField(frame.payload))
        case "subscribe", "unsubscribe":
            guard let list = frame.devices else { throw .missingField("devices") }
            guard list.count <= maxDevicesPerMessage else {
                throw .invalidField("devices", "more than \(maxDevicesPerMessage) entries")
            }
            var ids: [DeviceID] = []
            ids.reserveCapacity(list.count)
            for text in list { ids.append(try deviceField(text, "devices")) }
            return type == "subscribe" ? .subscribe(ids) : .unsubscribe(ids)
        case "create-room":
            if let code = frame.room { return .createRoom(code: try roomField(code)) }
            return .createRoom(code: nil)
        case "join-room":
            return .joinRoom(code: try roomField(frame.room))
        case "room-message":
            return .roomMessage(code: try roomField(frame.room), payload: try payloadField(frame.payload))
        case "close-room":
            let outcome: RoomOutcome
            switch frame.outcome {
            case nil, "done": outcome = .done
            case "failed": outcome = .failed
            case .some: throw .invalidField("outcome", "must be \"done\" or \"failed\"")
            }
            return .closeRoom(code: try roomField(frame.room), outcome: outcome)
        case "ping":
            return .ping(id: try shortText(frame.id, "id"))
        default:
            throw .unknownType(type)
        }
    }

    /// The JSON text of a client message.
    public func encode(_ message: ClientMessage) -> String {
        if case .signal(let to, let payload) = message {
            return JSONText.signal(peerKey: "to", peer: to.description, payload: payload)
        }
        var frame = WireFrame(type: message.typeName)
        switch message {
        case .auth(let proof):
            switch proof.credential {
            case .certificate(let der): frame.certificate = Data.base64(der)
            case .publicKey(let der): frame.publicKey = Data.base64(der)
            }
            frame.signature = Data.base64(proof.signature)
            frame.signatureFormat = proof.signatureFormat.rawValue
        case .signal(let to, let payload):
            frame.to = to.description
            frame.payload = payload
        case .subscribe(let ids), .unsubscribe(let ids):
            frame.devices = ids.map(\.description)
        case .createRoom(let code):
            frame.room = code
        case .joinRoom(let code):
            frame.room = code
        case .roomMessage(let code, let payload):
            frame.room = code
            frame.payload = payload
        case .closeRoom(let code, let outcome):
            frame.room = code
            frame.outcome = outcome.rawValue
        case .ping(let id):
            frame.id = id
        }
        return Self.encodeFrame(frame)
    }

    // MARK: Server → client

    /// Parses a frame the server sent.
    public func decodeServerMessage(_ text: String) throws(SignalingParseError) -> ServerMessage {
        try checkSize(text)
        if let (from, payload) = SignalFrameScanner.scan(text, peerKey: SignalFrameScanner.fromKey) {
            return .signal(from: try deviceField(from, "from"), payload: try payloadField(payload))
        }
        return try decodeServerMessageGenerally(text)
    }

    /// Parses a frame the server sent with the general (JSONDecoder) path only.
    func decodeServerMessageGenerally(_ text: String) throws(SignalingParseError) -> ServerMessage {
        let frame = try decodeFrame(text)
        guard let type = frame.type else { throw .missingType }
        switch type {
        case "hello":
            guard let version = frame.version else { throw .missingField("version") }
            let nonce = try base64Field(frame.nonce, "nonce")
            guard nonce.count == SignalingProtocol.nonceLength else { throw .invalidField("nonce", "must be 32 bytes") }
            guard let server = frame.server else { throw .missingField("server") }
            return .hello(version: version, nonce: nonce, server: server)
        case "welcome":
            return .welcome(device: try deviceField(frame.device, "device"))
        case "signal":
            return .signal(from: try deviceField(frame.from, "from"), payload: try payloadField(frame.payload))
        case "presence":
            guard let online = frame.online else { throw .missingField("online") }
            return .presence(device: try deviceField(frame.device, "device"), online: online)
        case "room-created":
            guard let expires = frame.expiresIn else { throw .missingField("expiresIn") }
            return .roomCreated(code: try roomField(frame.room), expiresIn: expires)
        case "room-joined":
            return .roomJoined(code: try roomField(frame.room))
        case "room-message":
            return .roomMessage(code: try roomField(frame.room), payload: try payloadField(frame.payload))
        case "room-closed":
            guard let text = frame.reason else { throw .missingField("reason") }
            guard let reason = RoomCloseReason(rawValue: text) else { throw .invalidField("reason", "unknown reason") }
            return .roomClosed(code: try roomField(frame.room), reason: reason)
        case "error":
            guard let text = frame.code else { throw .missingField("code") }
            guard let code = SignalingErrorCode(rawValue: text) else { throw .invalidField("code", "unknown error code") }
            return .error(code: code, message: frame.message ?? "", ref: frame.ref)
        case "pong":
            return .pong(id: frame.id)
        default:
            throw .unknownType(type)
        }
    }

    /// The JSON text of a server message.
    public func encode(_ message: ServerMessage) -> String {
        // The relay's hot path, written directly (JSONEncoder costs more than the rest of a relay).
        if case .signal(let from, let payload) = message {
            return JSONText.signal(peerKey: "from", peer: from.description, payload: payload)
        }
        var frame = WireFrame(type: message.typeName)
        switch message {
        case .hello(let version, let nonce, let server):
            frame.version = version
            frame.nonce = Data.base64(nonce)
            frame.server = server
        case .welcome(let device):
            frame.device = device.description
        case .signal(let from, let payload):
            frame.from = from.description
            frame.payload = payload
        case .presence(let device, let online):
            frame.device = device.description
            frame.online = online
        case .roomCreated(let code, let expiresIn):
            frame.room = code
            frame.expiresIn = expiresIn
        case .roomJoined(let code):
            frame.room = code
        case .roomMessage(let code, let payload):
            frame.room = code
            frame.payload = payload
        case .roomClosed(let code, let reason):
            frame.room = code
            frame.reason = reason.rawValue
        case .error(let code, let message, let ref):
            frame.code = code.rawValue
            frame.message = message
            frame.ref = ref
        case .pong(let id):
            frame.id = id
        }
        return Self.encodeFrame(frame)
    }

    // MARK: Helpers

    private func checkSize(_ text: String) throws(SignalingParseError) {
        let count = text.utf8.count
        guard count <= maxFrameBytes else { throw .tooLarge(bytes: count, limit: maxFrameBytes) }
    }

    private func decodeFrame(_ text: String) throws(SignalingParseError) -> WireFrame {
        try checkSize(text)
        do {
            return try JSONDecoder().decode(WireFrame.self, from: Data(text.utf8))
        } catch {
            throw .malformedJSON(Self.shortDescription(of: error))
        }
    }

    private static func encodeFrame(_ frame: WireFrame) -> String {
        do {
            let data = try JSONEncoder().encode(frame)
            return String(decoding: data, as: UTF8.self)
        } catch {
            preconditionFailure("encoding a WireFrame of strings and integers cannot fail: \(error)")
        }
    }

    private static func shortDescription(of error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not a JSON object of the expected shape" : "wrong type at \"\(path.prefix(40))\""
        default:
            return "not a JSON object"
        }
    }

    private func base64Field(_ value: String?, _ name: String) throws(SignalingParseError) -> [UInt8] {
        guard let value else { throw .missingField(name) }
        guard let data = Data(base64Encoded: value) else { throw .invalidField(name, "not base64") }
        return [UInt8](data)
    }

    private func deviceField(_ value: String?, _ name: String) throws(SignalingParseError) -> DeviceID {
        guard let value else { throw .missingField(name) }
        do throws(DeviceIDParseError) {
            return try DeviceID(parsing: value)
        } catch {
            throw .invalidDeviceID(error.description)
        }
    }

    private func payloadField(_ value: String?) throws(SignalingParseError) -> String {
        guard let value else { throw .missingField("payload") }
        let count = value.utf8.count
        guard count <= maxPayloadBytes else { throw .payloadTooLarge(bytes: count, limit: maxPayloadBytes) }
        return value
    }

    private func roomField(_ value: String?) throws(SignalingParseError) -> String {
        guard let value else { throw .missingField("room") }
        guard SignalingProtocol.isValidRoomCode(value) else {
            throw .invalidField("room", "1-64 characters from A-Z a-z 0-9 - _ .")
        }
        return value
    }

    private func shortText(_ value: String?, _ name: String) throws(SignalingParseError) -> String? {
        guard let value else { return nil }
        guard value.utf8.count <= 64 else { throw .invalidField(name, "longer than 64 bytes") }
        return value
    }
}
