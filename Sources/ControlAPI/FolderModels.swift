/// A shared folder as configured.
public struct FolderInfo: Codable, Sendable, Equatable {
    /// The folder ID shared with peers.
    public var id: String
    /// The absolute local path.
    public var path: String
    /// `send-receive`, `send-only` or `receive-only`.
    public var mode: String
    /// True while syncing is paused.
    public var paused: Bool
    /// The devices the folder is shared with.
    public var devices: [String]
    /// Creates a folder description.
    public init(id: String, path: String, mode: String = "send-receive", paused: Bool = false, devices: [String] = []) {
        self.id = id; self.path = path; self.mode = mode; self.paused = paused; self.devices = devices
    }
}

/// Body of `POST /folders`.
public struct AddFolderRequest: Codable, Sendable, Equatable {
    /// The local path (absolute, or relative to syncctl's working directory: syncctl resolves it).
    public var path: String
    /// The folder ID (defaults to a random one).
    public var id: String?
    /// Devices to share with.
    public var devices: [String]
    /// The mode (`send-receive` by default).
    public var mode: String?
    /// Creates the request.
    public init(path: String, id: String? = nil, devices: [String] = [], mode: String? = nil) {
        self.path = path; self.id = id; self.devices = devices; self.mode = mode
    }
}

/// Body of `POST /folders/{id}/mode`.
public struct ModeRequest: Codable, Sendable, Equatable {
    /// `send-receive`, `send-only` or `receive-only`.
    public var mode: String
    /// Creates the request.
    public init(mode: String) { self.mode = mode }
}

/// Body and result of `/folders/{id}/ignore`: the folder's `.syncignore` lines.
public struct IgnorePatterns: Codable, Sendable, Equatable {
    /// Gitignore-style patterns, one per entry.
    public var patterns: [String]
    /// Creates the list.
    public init(patterns: [String]) { self.patterns = patterns }
}

/// A conflict copy left next to a file after concurrent edits.
public struct ConflictInfo: Codable, Sendable, Equatable {
    /// The folder ID.
    public var folder: String
    /// The file that won.
    public var path: String
    /// The conflict copy holding the other version.
    public var copy: String
    /// Creates a conflict report.
    public init(folder: String, path: String, copy: String) { self.folder = folder; self.path = path; self.copy = copy }
}

/// Body of `POST /conflicts/resolve`: keep one side, remove the other.
public struct ResolveConflictRequest: Codable, Sendable, Equatable {
    /// The folder ID.
    public var folder: String
    /// The conflict copy's path.
    public var copy: String
    /// `winner` keeps the current file and deletes the copy; `copy` moves the copy over the file.
    public var keep: String
    /// Creates the request.
    public init(folder: String, copy: String, keep: String) { self.folder = folder; self.copy = copy; self.keep = keep }
}
