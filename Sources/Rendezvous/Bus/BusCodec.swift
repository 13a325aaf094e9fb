#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DTLS
import Signaling

/// JSON text of bus messages (what a PostgreSQL NOTIFY payload carries).
public enum BusCodec {
    private struct Frame: Codable {
        var op: String
        var node: String
        var device: String?
        var from: String?
        var fromNode: String?
        var payload: String?
        var code: String?
        var reason: String?
        var ref: UInt64?
        var error: String?
    }

    /// Why a bus payload was refused.
    public enum ParseError: Error, Equatable {
        /// Not the JSON of a bus message.
        case malformed(String)
    }

    /// The JSON text of `message`.
    public static func encode(_ message: BusMessage) -> String {
        var f: Frame
        switch message {
        case .online(let device, let node): f = Frame(op: "online", node: node.rawValue); f.device = device.description
        case .offline(let device, let node): f = Frame(op: "offline", node: node.rawValue); f.device = device.description
        case .announceRequest(let node): f = Frame(op: "announce", node: node.rawValue)
        case .signal(let to, let from, let payload, let node):
            f = Frame(op: "signal", node: node.rawValue); f.device = to.description; f.from = from.description; f.payload = payload
        case .roomOpened(let code, let node): f = Frame(op: "room-opened", node: node.rawValue); f.code = code
        case .roomClosed(let code, let node, let reason):
            f = Frame(op: "room-closed", node: node.rawValue); f.code = code; f.reason = reason.rawValue
        case .joinRequest(let code, let owner, let from, let ref):
            f = Frame(op: "join", node: owner.rawValue); f.code = code; f.fromNode = from.rawValue; f.ref = ref
        case .joinAccepted(let code, let node, let ref): f = Frame(op: "join-ok", node: node.rawValue); f.code = code; f.ref = ref
        case .joinRefused(let code, let node, let ref, let error):
            f = Frame(op: "join-refused", node: node.rawValue); f.code = code; f.ref = ref; f.error = error.rawValue
        case .roomMessage(let code, let node, let payload):
            f = Frame(op: "room-message", node: node.rawValue); f.code = code; f.payload = payload
        case .roomEnd(let code, let owner, let reason):
            f = Frame(op: "room-end", node: owner.rawValue); f.code = code; f.reason = reason.rawValue
        }
        do {
            return String(decoding: try JSONEncoder().encode(f), as: UTF8.self)
        } catch {
            preconditionFailure("encoding a bus frame of strings cannot fail: \(error)")
        }
    }

    /// The bus message in `text`.
    public static func decode(_ text: String) throws(ParseError) -> BusMessage {
        let f: Frame
        do { f = try JSONDecoder().decode(Frame.self, from: Data(text.utf8)) } catch { throw .malformed("not a bus frame") }
        let node = NodeID(f.node)
        func device(_ text: String?) throws(ParseError) -> DeviceID {
            guard let text else { throw .malformed("missing device") }
            do throws(DeviceIDParseError) { return try DeviceID(parsing: text) } catch { throw .malformed("bad device") }
        }
        func need<T>(_ value: T?, _ name: String) throws(ParseError) -> T {
            guard let value else { throw .malformed("missing \(name)") }
            return value
        }
        func reason() throws(ParseError) -> RoomCloseReason {
            guard let r = f.reason.flatMap(RoomCloseReason.init(rawValue:)) else { throw .malformed("bad reason") }
            return r
        }
        switch f.op {
        case "online": return .online(device: try device(f.device), node: node)
        case "offline": return .offline(device: try device(f.device), node: node)
        case "announce": return .announceRequest(node: node)
        case "signal": return .signal(to: try device(f.device), from: try device(f.from), payload: try need(f.payload, "payload"), node: node)
        case "room-opened": return .roomOpened(code: try need(f.code, "code"), node: node)
        case "room-closed": return .roomClosed(code: try need(f.code, "code"), node: node, reason: try reason())
        case "join": return .joinRequest(code: try need(f.code, "code"), owner: node, from: NodeID(try need(f.fromNode, "fromNode")), ref: try need(f.ref, "ref"))
        case "join-ok": return .joinAccepted(code: try need(f.code, "code"), node: node, ref: try need(f.ref, "ref"))
        case "join-refused":
            guard let error = f.error.flatMap(SignalingErrorCode.init(rawValue:)) else { throw .malformed("bad error") }
            return .joinRefused(code: try need(f.code, "code"), node: node, ref: try need(f.ref, "ref"), error: error)
        case "room-message": return .roomMessage(code: try need(f.code, "code"), node: node, payload: try need(f.payload, "payload"))
        case "room-end": return .roomEnd(code: try need(f.code, "code"), owner: node, reason: try reason())
        default: throw .malformed("unknown op")
        }
    }
}
