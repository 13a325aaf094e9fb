import ControlAPI
import Foundation

/// The control API's routing, without any I/O: a method, a path and a body go in, a status and
/// a JSON body (or an event stream) come out. The HTTP server only plumbs bytes to it.
///
/// Routes: `GET /identity`; `GET|POST /devices`, `DELETE /devices/{id}`, `POST /devices/{id}/rename`;
/// `POST /pairing/code`, `POST /pairing/join`, `GET /pairing/{code}`; `GET|POST /folders`, `DELETE /folders/{id}`,
/// `POST /folders/{id}/{pause|resume|rescan|mode}`, `GET|PUT /folders/{id}/ignore`; `GET /status`;
/// `GET /conflicts`, `POST /conflicts/resolve`; `GET /events` (NDJSON stream);
/// `GET /call[?call=<id or device>]`, `GET /calls`, `POST /call`, `POST /call/{accept|reject|hangup|dtmf}`
/// (bodies may name the call); `GET /screen`, `POST /screen/{share|stop}`,
/// `GET /screen/watch[?frames=N][&device=<device>]` (a YUV4MPEG2 byte stream).
public struct ControlService: Sendable {
    /// A response.
    public enum Response: Sendable {
        /// A complete JSON answer.
        case json(status: Int, body: [UInt8])
        /// A stream of events, one JSON object per line.
        case events(AsyncStream<ControlEvent>)
        /// A byte stream of `contentType` (a screen share as YUV4MPEG2).
        case bytes(contentType: String, AsyncStream<[UInt8]>)
    }

    let backend: any ControlBackend

    /// A service over `backend`.
    public init(backend: any ControlBackend) { self.backend = backend }

    /// Handles one request. `path` may carry a query string, which is ignored.
    public func handle(method: String, path rawPath: String, body: [UInt8]) async -> Response {
        let path = rawPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? rawPath
        let query = rawPath.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let parts = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        do throws(DaemonError) {
            switch (method, parts.count, parts.first ?? "") {
            case ("GET", 1, "identity"): return ok(await backend.identityInfo())
            case ("GET", 1, "devices"): return ok(await backend.listDevices())
            case ("POST", 1, "devices"): return ok(try await backend.addDevice(try decode(body)), status: 201)
            case ("DELETE", 2, "devices"): try await backend.removeDevice(parts[1]); return noContent()
            case ("POST", 3, "devices") where parts[2] == "rename":
                let r: RenameRequest = try decode(body)
                try await backend.renameDevice(parts[1], to: r.name); return noContent()
            case ("POST", 2, "pairing") where parts[1] == "code": return ok(try await backend.createPairingCode(), status: 201)
            case ("POST", 2, "pairing") where parts[1] == "join": return ok(try await backend.joinPairing(try decode(body)))
            case ("GET", 2, "pairing"): return ok(try await backend.pairingStatus(parts[1]))
            case ("GET", 1, "folders"): return ok(await backend.listFolders())
            case ("POST", 1, "folders"): return ok(try await backend.addFolder(try decode(body)), status: 201)
            case ("DELETE", 2, "folders"): try await backend.removeFolder(parts[1]); return noContent()
            case ("POST", 3, "folders"):
                switch parts[2] {
                case "pause": try await backend.setPaused(parts[1], true)
                case "resume": try await backend.setPaused(parts[1], false)
                case "rescan": try await backend.rescan(parts[1])
                case "mode": let m: ModeRequest = try decode(body); try await backend.setMode(parts[1], m.mode)
                default: throw notFound(method, path)
                }
                return noContent()
            case ("GET", 3, "folders") where parts[2] == "ignore": return ok(try await backend.ignorePatterns(parts[1]))
            case ("PUT", 3, "folders") where parts[2] == "ignore":
                try await backend.setIgnorePatterns(parts[1], try decode(body)); return noContent()
            case ("GET", 1, "status"): return ok(await backend.status())
            case ("GET", 1, "conflicts"): return ok(await backend.conflicts())
            case ("POST", 2, "conflicts") where parts[1] == "resolve":
                try await backend.resolveConflict(try decode(body)); return noContent()
            case ("GET", 1, "events"): return .events(backend.subscribeEvents())
            case ("GET", 1, "screen"): return ok(await backend.screenStatus())
            case ("POST", 2, "screen") where parts[1] == "share": return ok(try await backend.shareScreen(try decode(body)), status: 201)
            case ("POST", 2, "screen") where parts[1] == "stop":
                let r: ScreenStopRequest = body.isEmpty ? ScreenStopRequest() : try decode(body)
                try await backend.stopScreenShare(r.device); return noContent()
            case ("GET", 2, "screen") where parts[1] == "watch":
                let frames = Self.queryValue(query, "frames").flatMap { Int($0) }
                return .bytes(contentType: "video/x-yuv4mpeg", try await backend.watchScreen(frames: frames, device: Self.queryValue(query, "device")))
            case ("GET", 1, "call"): return ok(try await backend.callStatus(Self.queryValue(query, "call")))
            case ("GET", 1, "calls"): return ok(await backend.callList())
            case ("POST", 1, "call"): return ok(try await backend.startCall(try decode(body)), status: 201)
            case ("POST", 2, "call"):
                switch parts[1] {
                case "accept": return ok(try await backend.acceptCall(body.isEmpty ? CallAnswerRequest() : try decode(body)))
                case "reject": try await backend.rejectCall(try target(body))
                case "hangup": try await backend.hangupCall(try target(body))
                case "dtmf": try await backend.sendDTMF(try decode(body))
                default: throw notFound(method, path)
                }
                return noContent()
            default: throw notFound(method, path)
            }
        } catch {
            return Self.error(error)
        }
    }

    /// The JSON error answer for `error`.
    public static func error(_ error: DaemonError) -> Response {
        let body = ControlErrorBody(error: error.message, hint: error.hint)
        return .json(status: error.httpStatus, body: Array((try? JSONEncoder().encode(body)) ?? Data()))
    }

    /// The call an optional ``CallTargetRequest`` body names.
    private func target(_ body: [UInt8]) throws(DaemonError) -> String? {
        body.isEmpty ? nil : (try decode(body) as CallTargetRequest).call
    }

    /// The percent-decoded value of `name` in a query string (`a=1&b=2`).
    static func queryValue(_ query: String, _ name: String) -> String? {
        query.split(separator: "&").first { $0.hasPrefix(name + "=") }
            .map { String($0.dropFirst(name.count + 1)) }.map { $0.removingPercentEncoding ?? $0 }
    }

    private func notFound(_ method: String, _ path: String) -> DaemonError {
        .notFound("no such control endpoint: \(method) \(path)", hint: "are syncd and syncctl the same version?")
    }

    private func decode<T: Decodable>(_ body: [UInt8]) throws(DaemonError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            throw .badRequest("the request body is not the expected JSON (\(T.self)): \(error)", hint: nil)
        }
    }

    private func ok<T: Encodable>(_ value: T, status: Int = 200) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .json(status: status, body: Array((try? encoder.encode(value)) ?? Data("{}".utf8)))
    }

    private func noContent() -> Response { .json(status: 200, body: Array("{}".utf8)) }
}
