import SyncEngine

/// One shared folder as configured: persisted in `folders.json` in the state folder.
public struct FolderSettings: Codable, Sendable, Equatable {
    /// The folder ID shared with peers.
    public var id: String
    /// The absolute local path.
    public var path: String
    /// `send-receive`, `send-only` or `receive-only`.
    public var mode: String
    /// True while syncing is paused.
    public var paused: Bool
    /// The devices it is shared with (canonical device IDs).
    public var devices: [String]

    /// Creates settings.
    public init(id: String, path: String, mode: String = "send-receive", paused: Bool = false, devices: [String] = []) {
        self.id = id; self.path = path; self.mode = mode; self.paused = paused; self.devices = devices
    }

    /// The engine's mode for a mode name.
    public static func engineMode(_ name: String) throws(DaemonError) -> FolderMode {
        switch name {
        case "send-receive", "sendreceive": return .sendReceive
        case "send-only", "sendonly": return .sendOnly
        case "receive-only", "receiveonly": return .receiveOnly
        default: throw .badRequest("unknown folder mode \(name)", hint: "use send-receive, send-only or receive-only")
        }
    }

    /// Checks a folder ID: 1–64 characters of letters, digits, `.`, `_`, `-`.
    public static func validateID(_ id: String) throws(DaemonError) {
        let ok = !id.isEmpty && id.utf8.count <= 64 && id.unicodeScalars.allSatisfy {
            ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
        guard ok else { throw .badRequest("folder ID \"\(id)\" is not allowed", hint: "use 1–64 letters, digits, '.', '_' or '-'") }
    }
}
