#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One frame of the rendezvous protocol: a JSON object in one WebSocket text message, with a
/// `type` field naming it (docs/rendezvous-protocol.md). Shared by the server and clients.
public enum SignalingFrame: Hashable, Sendable {
    /// Server → client: authentication challenge.
    case challenge(ChallengeFrame)
    /// Client → server: certificate and signature.
    case auth(AuthFrame)
    /// Server → client: authentication accepted.
    case authenticated(AuthenticatedFrame)
    /// Both directions: a relayed signal.
    case signal(SignalFrame)
    /// Client → server: presence subscription.
    case subscribe(SubscribeFrame)
    /// Server → client: presence change.
    case presence(PresenceFrame)
    /// Client → server: open a pairing room.
    case createRoom(CreateRoomFrame)
    /// Server → client: room opened.
    case roomCreated(RoomCreatedFrame)
    /// Client → server: join a room.
    case joinRoom(JoinRoomFrame)
    /// Server → joiner: joined.
    case roomJoined(RoomJoinedFrame)
    /// Server → creator: the other member arrived.
    case peerJoined(RoomJoinedFrame)
    /// Both directions: a pairing message for the other room member.
    case roomMessage(RoomMessageFrame)
    /// Client → server: burn the room.
    case closeRoom(CloseRoomFrame)
    /// Server → client: the room is burnt.
    case roomClosed(RoomClosedFrame)
    /// Server → client: an error.
    case error(ErrorFrame)

    /// Which side sent a frame.
    public enum Sender: Sendable {
        /// A device (or browser) talking to the server.
        case client
        /// The rendezvous server.
        case server
    }

    /// The `type` string.
    public var type: String {
        switch self {
        case .challenge: return "challenge"
        case .auth: return "auth"
        case .authenticated: return "authenticated"
        case .signal: return "signal"
        case .subscribe: return "subscribe"
        case .presence: return "presence"
        case .createRoom: return "create-room"
        case .roomCreated: return "room-created"
        case .joinRoom: return "join-room"
        case .roomJoined: return "room-joined"
        case .peerJoined: return "peer-joined"
        case .roomMessage: return "room-message"
        case .closeRoom: return "close-room"
        case .roomClosed: return "room-closed"
        case .error: return "error"
        }
    }

    static let clientTypes: Set<String> = [
        "auth", "signal", "subscribe", "create-room", "join-room", "room-message", "close-room",
    ]
    static let serverTypes: Set<String> = [
        "challenge", "authenticated", "signal", "presence", "room-created", "room-joined", "peer-joined",
        "room-message", "room-closed", "error",
    ]

    private struct TypeProbe: Decodable { let type: String }

    /// Parses and validates one frame sent by `sender`. Checks the size limit before parsing;
    /// never traps.
    public init(decoding bytes: [UInt8], from sender: Sender) throws(SignalingParseError) {
        guard bytes.count <= SignalingLimits.maxFrameBytes else { throw .tooLarge(bytes.count) }
        let data = Data(bytes)
        let decoder = JSONDecoder()
        let type: String
        do {
            type = try decoder.decode(TypeProbe.self, from: data).type
        } catch {
            throw .invalidJSON("not a JSON object with a string \"type\"")
        }
        guard Self.clientTypes.contains(type) || Self.serverTypes.contains(type) else { throw .unknownType(type) }
        guard (sender == .client ? Self.clientTypes : Self.serverTypes).contains(type) else {
            throw .wrongDirection(type)
        }
        do {
            switch type {
            case "challenge": self = .challenge(try decoder.decode(ChallengeFrame.self, from: data))
            case "auth": self = .auth(try decoder.decode(AuthFrame.self, from: data))
            case "authenticated": self = .authenticated(try decoder.decode(AuthenticatedFrame.self, from: data))
            case "signal": self = .signal(try decoder.decode(SignalFrame.self, from: data))
            case "subscribe": self = .subscribe(try decoder.decode(SubscribeFrame.self, from: data))
            case "presence": self = .presence(try decoder.decode(PresenceFrame.self, from: data))
            case "create-room": self = .createRoom(try decoder.decode(CreateRoomFrame.self, from: data))
            case "room-created": self = .roomCreated(try decoder.decode(RoomCreatedFrame.self, from: data))
            case "join-room": self = .joinRoom(try decoder.decode(JoinRoomFrame.self, from: data))
            case "room-joined": self = .roomJoined(try decoder.decode(RoomJoinedFrame.self, from: data))
            case "peer-joined": self = .peerJoined(try decoder.decode(RoomJoinedFrame.self, from: data))
            case "room-message": self = .roomMessage(try decoder.decode(RoomMessageFrame.self, from: data))
            case "close-room": self = .closeRoom(try decoder.decode(CloseRoomFrame.self, from: data))
            case "room-closed": self = .roomClosed(try decoder.decode(RoomClosedFrame.self, from: data))
            default: self = .error(try decoder.decode(ErrorFrame.self, from: data))
            }
        } catch let error as SignalingParseError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidField(key.stringValue, "required")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidField(Self.path(context), "wrong JSON type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidField(Self.path(context), "must not be null")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidField(Self.path(context), "invalid value")
        } catch {
            throw .invalidJSON("\(type): undecodable")
        }
        try validate(sender: sender)
    }

    /// Parses a frame from text.
    public init(decoding text: String, from sender: Sender) throws(SignalingParseError) {
        try self.init(decoding: Array(text.utf8), from: sender)
    }

    /// The frame as compact JSON (keys sorted), ready for a WebSocket text message.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return [UInt8](try encoder.encode(Envelope(frame: self)))
        } catch {
            preconditionFailure("encoding a SignalingFrame cannot fail: \(error)")
        }
    }

    /// The frame as a JSON string.
    public var json: String { String(decoding: encoded(), as: UTF8.self) }

    private func validate(sender: Sender) throws(SignalingParseError) {
        switch self {
        case .challenge(let f): try f.validate()
        case .auth(let f): try f.validate()
        case .authenticated(let f): try f.validate()
        case .signal(let f): try f.validate(fromClient: sender == .client)
        case .subscribe(let f): try f.validate()
        case .presence(let f): try f.validate()
        case .createRoom(let f): try f.validate()
        case .roomCreated(let f): try f.validate()
        case .joinRoom(let f): try f.validate()
        case .roomJoined(let f), .peerJoined(let f): try f.validate()
        case .roomMessage(let f): try f.validate()
        case .closeRoom(let f): try f.validate()
        case .roomClosed(let f): try f.validate()
        case .error(let f): try f.validate()
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// Writes the frame's fields and its `type` into one JSON object.
    private struct Envelope: Encodable {
        let frame: SignalingFrame
        enum TypeKey: String, CodingKey { case type }

        func encode(to encoder: any Encoder) throws {
            switch frame {
            case .challenge(let f): try f.encode(to: encoder)
            case .auth(let f): try f.encode(to: encoder)
            case .authenticated(let f): try f.encode(to: encoder)
            case .signal(let f): try f.encode(to: encoder)
            case .subscribe(let f): try f.encode(to: encoder)
            case .presence(let f): try f.encode(to: encoder)
            case .createRoom(let f): try f.encode(to: encoder)
            case .roomCreated(let f): try f.encode(to: encoder)
            case .joinRoom(let f): try f.encode(to: encoder)
            case .roomJoined(let f), .peerJoined(let f): try f.encode(to: encoder)
            case .roomMessage(let f): try f.encode(to: encoder)
            case .closeRoom(let f): try f.encode(to: encoder)
            case .roomClosed(let f): try f.encode(to: encoder)
            case .error(let f): try f.encode(to: encoder)
            }
            var c = encoder.container(keyedBy: TypeKey.self)
            try c.encode(frame.type, forKey: .type)
        }
    }
}
