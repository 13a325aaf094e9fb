import ControlAPI

/// The control API's calls: they go to the transport's ``CallController``.
extension SyncDaemon {
    /// One voice call's status: the one `target` names (call id or device), else the only one
    /// (idle without a transport or a call; an error when several calls could be meant).
    public func callStatus(_ target: String?) async throws(DaemonError) -> CallStatus {
        guard let transport else { return .idle }
        return try await transport.calls.status(target)
    }

    /// Every voice call ringing or active, oldest first.
    public func callList() async -> [CallStatus] {
        await transport?.calls.list() ?? []
    }

    /// Rings a device.
    public func startCall(_ request: CallRequest) async throws(DaemonError) -> CallStatus {
        try await calls().start(request)
    }

    /// Takes the ringing call.
    public func acceptCall(_ request: CallAnswerRequest) async throws(DaemonError) -> CallStatus {
        try await calls().accept(request)
    }

    /// Refuses a ringing call (`target`: call id or device; nil: the only one ringing).
    public func rejectCall(_ target: String?) async throws(DaemonError) { try await calls().reject(target) }

    /// Ends a call (`target`: call id or device; nil: the only one).
    public func hangupCall(_ target: String?) async throws(DaemonError) { try await calls().hangup(target) }

    /// Sends DTMF digits in the active call.
    public func sendDTMF(_ request: DTMFRequest) async throws(DaemonError) { try await calls().sendDTMF(request) }

    /// The screen shares in progress.
    public func screenStatus() async -> [ScreenStatus] { await transport?.screens.status() ?? [] }

    /// Starts sharing the screen with a device.
    public func shareScreen(_ request: ScreenShareRequest) async throws(DaemonError) -> ScreenStatus {
        try await peerTransport().screens.share(request)
    }

    /// Stops the screen share this device sends to `device` (nil: the only one).
    public func stopScreenShare(_ device: String?) async throws(DaemonError) { try await peerTransport().screens.stop(device) }

    /// The screen share received from `device` (nil: the only one) as YUV4MPEG2.
    public func watchScreen(frames: Int?, device: String?) async throws(DaemonError) -> AsyncStream<[UInt8]> {
        try await peerTransport().screens.watch(frames: frames, device: device)
    }

    private func calls() throws(DaemonError) -> CallController { try peerTransport().calls }

    private func peerTransport() throws(DaemonError) -> PeerTransport {
        guard let transport else {
            throw .unavailable("calls and screen sharing need a connection to the other device, and no rendezvous server is configured",
                               hint: "set rendezvousURL in the configuration (or PEERSYNC_RENDEZVOUS_URL) and restart syncd")
        }
        return transport
    }
}

extension Array {
    /// nil for an empty array (optional JSON fields).
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
