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

    private func calls() throws(DaemonError) -> CallController {
        guard let transport else {
            throw .unavailable("calls need a connection to the other device, and no rendezvous server is configured",
                               hint: "set rendezvousURL in the configuration (or PEERSYNC_RENDEZVOUS_URL) and restart syncd")
        }
        return transport.calls
    }
}
