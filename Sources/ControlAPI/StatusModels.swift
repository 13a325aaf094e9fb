/// The sync state of one folder.
public struct FolderStatus: Codable, Sendable, Equatable {
    /// The folder ID.
    public var id: String
    /// The local path.
    public var path: String
    /// `idle`, `scanning`, `syncing`, `paused`, `stopped` (marker missing) or `error`.
    public var state: String
    /// Files (and directories, symlinks) present locally.
    public var localFiles: Int
    /// Bytes of the local files.
    public var localBytes: UInt64
    /// Entries in the global (winning) index, deletions excluded.
    public var globalFiles: Int
    /// Bytes of the global index.
    public var globalBytes: UInt64
    /// Entries this device still needs.
    public var needFiles: Int
    /// Bytes this device still needs.
    public var needBytes: UInt64
    /// Completion in [0, 1] (1 when nothing is needed).
    public var progress: Double
    /// Received file bytes per second over the last interval.
    public var rateBytesPerSecond: Double
    /// Connected devices sharing this folder.
    public var connectedDevices: [String]
    /// The last error, if any.
    public var error: String?
    /// Creates a folder status.
    public init(id: String, path: String, state: String, localFiles: Int = 0, localBytes: UInt64 = 0, globalFiles: Int = 0,
                globalBytes: UInt64 = 0, needFiles: Int = 0, needBytes: UInt64 = 0, progress: Double = 1,
                rateBytesPerSecond: Double = 0, connectedDevices: [String] = [], error: String? = nil) {
        self.id = id; self.path = path; self.state = state; self.localFiles = localFiles; self.localBytes = localBytes
        self.globalFiles = globalFiles; self.globalBytes = globalBytes; self.needFiles = needFiles; self.needBytes = needBytes
        self.progress = progress; self.rateBytesPerSecond = rateBytesPerSecond; self.connectedDevices = connectedDevices; self.error = error
    }
}

/// Everything `syncctl status` shows.
public struct StatusReport: Codable, Sendable, Equatable {
    /// This device.
    public var identity: IdentityInfo
    /// Every folder.
    public var folders: [FolderStatus]
    /// Every paired device.
    public var devices: [DeviceInfo]
    /// The first voice call ringing or active (nil when idle); all of them are in ``calls``.
    public var call: CallStatus?
    /// Every voice call ringing or active, oldest first (nil when none).
    public var calls: [CallStatus]?
    /// The screen shares being sent or received (nil when none).
    public var screens: [ScreenStatus]?
    /// Creates a report.
    public init(identity: IdentityInfo, folders: [FolderStatus], devices: [DeviceInfo], call: CallStatus? = nil,
                calls: [CallStatus]? = nil, screens: [ScreenStatus]? = nil) {
        self.identity = identity; self.folders = folders; self.devices = devices; self.call = call; self.calls = calls
        self.screens = screens
    }
}

/// One line of the event stream (`GET /events`, NDJSON).
public struct ControlEvent: Codable, Sendable, Equatable {
    /// Seconds since 1970.
    public var time: Double
    /// What happened: `local-changed`, `pulled`, `deleted`, `conflict`, `device-connected`, `device-disconnected`,
    /// `folder-state`, `error`, `progress`; for calls `call-ringing` (message `incoming` or `outgoing`),
    /// `call-accepted`, `call-rejected`, `call-ended` (message: why), `call-dtmf` (message: the digit);
    /// for screens `screen-started` and `screen-stopped` (message `incoming` or `outgoing`), …
    public var type: String
    /// The folder concerned.
    public var folder: String?
    /// The device concerned.
    public var device: String?
    /// The path concerned.
    public var path: String?
    /// A human-readable detail.
    public var message: String?
    /// Progress in [0, 1] for `progress` events.
    public var progress: Double?
    /// Creates an event.
    public init(time: Double, type: String, folder: String? = nil, device: String? = nil, path: String? = nil,
                message: String? = nil, progress: Double? = nil) {
        self.time = time; self.type = type; self.folder = folder; self.device = device; self.path = path
        self.message = message; self.progress = progress
    }
}

/// The body of every error response: what happened and what to do.
public struct ControlErrorBody: Codable, Sendable, Equatable, Error {
    /// What went wrong.
    public var error: String
    /// What the user can do about it.
    public var hint: String?
    /// Creates an error body.
    public init(error: String, hint: String? = nil) { self.error = error; self.hint = hint }
}
