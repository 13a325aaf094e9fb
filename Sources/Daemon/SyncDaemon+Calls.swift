import ControlAPI

/// The control API's calls: they go to the transport's ``CallController``.
extension SyncDaemon {
    /// The voice call's status (idle without a transport).
    public func callStatus() async -> CallStatus {
        await transport?.calls.status() ?? .idle
    }

    /// Rings a device.
    public func startCall(_ request: CallRequest) async throws(DaemonError) -> CallStatus {
        try await calls().start(request)
    }

    /// Takes the ringing call.
    public func acceptCall(_ request: CallAnswerRequest) async throws(DaemonError) -> CallStatus {
        try await calls().accept(request)
    }

    /// Refuses the ringing call.
    public func rejectCall() async throws(DaemonError) { try await calls().reject() }

    /// Ends the call.
    public func hangupCall() async throws(DaemonError) { try await calls().hangup() }

    /// Sends DTMF digits in the active call.
    public func sendDTMF(_ request: DTMFRequest) async throws(DaemonError) { try await calls().sendDTMF(request) }

    /// The screen shares in progress.
    public func screenStatus() async -> [ScreenStatus] { await transport?.screens.status() ?? [] }

    /// Starts sharing the screen with a device.
    public func shareScreen(_ request: ScreenShareRequest) async throws(DaemonError) -> ScreenStatus {
        try await peerTransport().screens.share(request)
    }

    /// Stops the screen share this device sends.
    public func stopScreenShare() async throws(DaemonError) { try await peerTransport().screens.stop() }

    /// The received screen share as YUV4MPEG2.
    public func watchScreen(frames: Int?) async throws(DaemonError) -> AsyncStream<[UInt8]> {
        try await peerTransport().screens.watch(frames: frames)
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
