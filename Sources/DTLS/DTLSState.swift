/// The state of a ``DTLSEndpoint``, mirroring W3C `RTCDtlsTransportState`.
public enum DTLSState: String, Hashable, Sendable {
    /// Created; the handshake has not started.
    case new
    /// The handshake is in progress (or done, waiting for the remote fingerprint to check).
    case connecting
    /// The handshake completed and the peer's certificate matched an expected fingerprint.
    case connected
    /// Closed by either side with `close_notify`, or by ``DTLSEndpoint/close()``.
    case closed
    /// The handshake or the connection failed; ``DTLSEndpoint/error`` says why.
    case failed
}

/// Something a ``DTLSEndpoint`` reports, drained with ``DTLSEndpoint/pollEvent()``.
public enum DTLSEvent: Equatable, Sendable {
    /// The state changed to the given one.
    case stateChanged(DTLSState)
    /// One application-data record from the peer (for SCTP: one SCTP packet).
    case applicationData([UInt8])
    /// An error, like the W3C `RTCDtlsTransport` `error` event; the state moves to `failed`.
    case error(DTLSError)
}
