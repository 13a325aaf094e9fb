/// Why SRTP/SRTCP protection or unprotection failed.
public enum SRTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The DTLS keying material had the wrong length for the profile.
    case badKeyingMaterial(expected: Int, got: Int)
    /// The packet was too short to be RTP/RTCP.
    case tooShort(Int)
    /// The authentication tag did not verify (tampered or wrong key).
    case authenticationFailed
    /// The packet was already received or is too old for the replay window.
    case replayed
    /// Any other libsrtp error, with its status code.
    case library(status: Int32, operation: String)

    public var description: String {
        switch self {
        case .badKeyingMaterial(let e, let g): return "SRTP keying material of \(g) bytes, expected \(e)"
        case .tooShort(let n): return "packet of \(n) bytes too short for SRTP"
        case .authenticationFailed: return "SRTP authentication failed"
        case .replayed: return "SRTP replay rejected"
        case .library(let s, let op): return "libsrtp \(op) failed with status \(s)"
        }
    }
}
