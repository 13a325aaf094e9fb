/// Which side of the DTLS handshake an endpoint plays.
///
/// In WebRTC the role follows from SDP's `a=setup` attribute (RFC 8842): `active` is the
/// DTLS client, `passive` the server, and the offerer's `actpass` lets the answerer choose.
public enum DTLSRole: String, Hashable, Sendable {
    /// Sends the ClientHello (SDP `a=setup:active`).
    case client
    /// Waits for the ClientHello (SDP `a=setup:passive`).
    case server

    /// The role of the local endpoint, given the local and remote `a=setup` values of one
    /// offer/answer exchange; nil when the pair is invalid (both `actpass`, both `active`,
    /// both `passive`, or `holdconn` on either side).
    public init?(localSetup: DTLSSetup, remoteSetup: DTLSSetup) {
        switch (localSetup, remoteSetup) {
        case (.active, .passive), (.active, .actpass), (.actpass, .passive): self = .client
        case (.passive, .active), (.passive, .actpass), (.actpass, .active): self = .server
        default: return nil
        }
    }
}

/// The values of SDP's `a=setup` attribute (RFC 4145, as used by RFC 8842 for DTLS).
public enum DTLSSetup: String, Hashable, Sendable, CaseIterable {
    /// Will be the DTLS client.
    case active
    /// Will be the DTLS server.
    case passive
    /// Either; an offerer always sends this (RFC 8842 §5.2).
    case actpass
    /// No connection (not used by WebRTC).
    case holdconn

    /// The `a=setup` value an answerer puts in its answer to an offer carrying `self`:
    /// `active` for `actpass` (JSEP §5.3.1, so the answerer starts the handshake at once),
    /// otherwise the opposite value; nil for `holdconn`.
    public var answer: DTLSSetup? {
        switch self {
        case .actpass, .passive: return .active
        case .active: return .passive
        case .holdconn: return nil
        }
    }
}
