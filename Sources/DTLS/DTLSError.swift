/// Why a ``DTLSEndpoint`` failed, or why an API call was refused.
///
/// The first two cases mirror W3C `RTCErrorDetailType` values `fingerprint-failure` and
/// `dtls-failure` (with `receivedAlert`/`sentAlert`).
public enum DTLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's certificate matches none of the expected fingerprints from SDP.
    case fingerprintFailure
    /// The DTLS handshake or record layer failed; `alert` is the fatal alert that was sent or
    /// received, nil when none was (e.g. the handshake timed out).
    case dtlsFailure(alert: DTLSAlert?)
    /// The call needs a connected endpoint (e.g. ``DTLSEndpoint/send(_:)`` before the handshake).
    case notConnected
    /// An application-data record may hold at most 16384 bytes.
    case recordTooLarge(Int)
    /// OpenSSL refused the configuration (the text is OpenSSL's error queue).
    case configuration(String)

    public var description: String {
        switch self {
        case .fingerprintFailure: return "fingerprint-failure: the peer certificate does not match the SDP fingerprint"
        case let .dtlsFailure(alert):
            if let alert { return "dtls-failure: \(alert)" }
            return "dtls-failure"
        case .notConnected: return "the DTLS endpoint is not connected"
        case let .recordTooLarge(n): return "application data of \(n) bytes exceeds one DTLS record (16384 bytes)"
        case let .configuration(why): return "DTLS configuration rejected: \(why)"
        }
    }
}

/// A fatal TLS alert (RFC 5246 §7.2), and whether we sent or received it.
public struct DTLSAlert: Hashable, Sendable, CustomStringConvertible {
    /// Which way the alert went.
    public enum Direction: String, Hashable, Sendable {
        /// We sent it to the peer.
        case sent
        /// The peer sent it to us.
        case received
    }

    /// The alert description code (e.g. 42 `bad_certificate`, 40 `handshake_failure`).
    public var code: UInt8
    /// Sent or received.
    public var direction: Direction

    /// An alert with the given code and direction.
    public init(code: UInt8, direction: Direction) {
        self.code = code
        self.direction = direction
    }

    /// The RFC name of the alert, or `alert(N)` for unknown codes.
    public var name: String {
        switch code {
        case 0: return "close_notify"
        case 10: return "unexpected_message"
        case 20: return "bad_record_mac"
        case 22: return "record_overflow"
        case 40: return "handshake_failure"
        case 42: return "bad_certificate"
        case 43: return "unsupported_certificate"
        case 44: return "certificate_revoked"
        case 45: return "certificate_expired"
        case 46: return "certificate_unknown"
        case 47: return "illegal_parameter"
        case 48: return "unknown_ca"
        case 49: return "access_denied"
        case 50: return "decode_error"
        case 51: return "decrypt_error"
        case 70: return "protocol_version"
        case 71: return "insufficient_security"
        case 80: return "internal_error"
        case 90: return "user_canceled"
        case 100: return "no_renegotiation"
        case 110: return "unsupported_extension"
        case 116: return "certificate_required"
        default: return "alert(\(code))"
        }
    }

    public var description: String { "\(direction.rawValue) alert \(name) (\(code))" }
}
