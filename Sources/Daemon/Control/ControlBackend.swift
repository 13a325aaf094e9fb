import ControlAPI

/// What the control API can ask of the daemon; ``SyncDaemon`` implements it.
public protocol ControlBackend: Sendable {
    /// This device's ID and name.
    func identityInfo() async -> IdentityInfo
    /// Paired devices.
    func listDevices() async -> [DeviceInfo]
    /// Pairs a device by ID.
    func addDevice(_ request: AddDeviceRequest) async throws(DaemonError) -> DeviceInfo
    /// Unpairs a device.
    func removeDevice(_ id: String) async throws(DaemonError)
    /// Renames a device.
    func renameDevice(_ id: String, to name: String) async throws(DaemonError)
    /// Every folder.
    func listFolders() async -> [FolderInfo]
    /// Adds a folder.
    func addFolder(_ request: AddFolderRequest) async throws(DaemonError) -> FolderInfo
    /// Removes a folder.
    func removeFolder(_ id: String) async throws(DaemonError)
    /// Pauses or resumes a folder.
    func setPaused(_ id: String, _ paused: Bool) async throws(DaemonError)
    /// Rescans a folder.
    func rescan(_ id: String) async throws(DaemonError)
    /// Changes a folder's mode.
    func setMode(_ id: String, _ mode: String) async throws(DaemonError)
    /// A folder's ignore patterns.
    func ignorePatterns(_ id: String) async throws(DaemonError) -> IgnorePatterns
    /// Replaces a folder's ignore patterns.
    func setIgnorePatterns(_ id: String, _ patterns: IgnorePatterns) async throws(DaemonError)
    /// Status of everything.
    func status() async -> StatusReport
    /// Conflict copies.
    func conflicts() async -> [ConflictInfo]
    /// Keeps one side of a conflict.
    func resolveConflict(_ request: ResolveConflictRequest) async throws(DaemonError)
    /// Creates a pairing code.
    func createPairingCode() async throws(DaemonError) -> PairingInfo
    /// Joins with a pairing code.
    func joinPairing(_ request: JoinPairingRequest) async throws(DaemonError) -> PairingInfo
    /// Where the pairing of a code stands.
    func pairingStatus(_ code: String) async throws(DaemonError) -> PairingInfo
    /// A live event stream.
    func subscribeEvents() -> AsyncStream<ControlEvent>
    /// One voice call's status (`target`: call id or device; nil: the only one).
    func callStatus(_ target: String?) async throws(DaemonError) -> CallStatus
    /// Every voice call ringing or active.
    func callList() async -> [CallStatus]
    /// Rings a device.
    func startCall(_ request: CallRequest) async throws(DaemonError) -> CallStatus
    /// Takes the ringing call.
    func acceptCall(_ request: CallAnswerRequest) async throws(DaemonError) -> CallStatus
    /// Refuses a ringing call (`target`: call id or device; nil: the only one ringing).
    func rejectCall(_ target: String?) async throws(DaemonError)
    /// Ends a call (`target`: call id or device; nil: the only one).
    func hangupCall(_ target: String?) async throws(DaemonError)
    /// Sends DTMF digits in the active call.
    func sendDTMF(_ request: DTMFRequest) async throws(DaemonError)
    /// The screen shares in progress.
    func screenStatus() async -> [ScreenStatus]
    /// Starts sharing the screen with a device.
    func shareScreen(_ request: ScreenShareRequest) async throws(DaemonError) -> ScreenStatus
    /// Stops the screen share this device sends to `device` (nil: the only one).
    func stopScreenShare(_ device: String?) async throws(DaemonError)
    /// The screen share received from `device` (nil: the only one) as a YUV4MPEG2 byte stream
    /// (after `frames` frames it ends).
    func watchScreen(frames: Int?, device: String?) async throws(DaemonError) -> AsyncStream<[UInt8]>
}
