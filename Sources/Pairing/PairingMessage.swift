/// The messages two ``PairingSession``s exchange through the rendezvous room (opaque bytes to
/// the server; the signaling layer carries them base64-encoded).
///
/// Layout: version (1), type, body. `share` carries a 65-byte SPAKE2 share, `confirm` a
/// 32-byte HMAC, `payload` the AES-256-GCM ciphertext and tag of ``PairingPeerInfo``, `abort`
/// one reason byte.
public enum PairingMessage: Hashable, Sendable {
    /// The SPAKE2 share `pA` or `pB`.
    case share([UInt8])
    /// The key-confirmation MAC `cA` or `cB`.
    case confirm([UInt8])
    /// The encrypted peer information.
    case payload([UInt8])
    /// The sender gave up.
    case abort(PairingAbortReason)

    /// Protocol version carried in the first byte.
    public static let version: UInt8 = 1
    /// The largest encoded message accepted.
    public static let maxLength = 4096

    /// The wire bytes.
    public var encoded: [UInt8] {
        switch self {
        case .share(let b): return [Self.version, 1] + b
        case .confirm(let b): return [Self.version, 2] + b
        case .payload(let b): return [Self.version, 3] + b
        case .abort(let r): return [Self.version, 4, r.rawValue]
        }
    }

    /// Parses wire bytes; sizes are checked per type.
    public init(decoding bytes: [UInt8]) throws(PairingError) {
        guard bytes.count >= 2, bytes.count <= Self.maxLength else { throw .invalidMessage("bad length \(bytes.count)") }
        guard bytes[0] == Self.version else { throw .invalidMessage("unsupported version \(bytes[0])") }
        let body = Array(bytes[2...])
        switch bytes[1] {
        case 1:
            guard body.count == 65 else { throw .invalidMessage("share must be 65 bytes") }
            self = .share(body)
        case 2:
            guard body.count == 32 else { throw .invalidMessage("confirmation must be 32 bytes") }
            self = .confirm(body)
        case 3:
            guard body.count >= 16 else { throw .invalidMessage("payload shorter than its tag") }
            self = .payload(body)
        case 4:
            guard body.count == 1, let reason = PairingAbortReason(rawValue: body[0]) else {
                throw .invalidMessage("bad abort reason")
            }
            self = .abort(reason)
        default:
            throw .invalidMessage("unknown message type \(bytes[1])")
        }
    }
}

/// Why a side aborted, as told to the other side.
public enum PairingAbortReason: UInt8, Hashable, Sendable {
    /// Key confirmation failed: wrong code, or tampered messages.
    case confirmationFailed = 1
    /// A message was malformed or out of order.
    case protocolViolation = 2
    /// The payload did not decrypt or was invalid.
    case payloadRejected = 3
    /// The side timed out.
    case timedOut = 4
    /// The user cancelled.
    case cancelled = 5
}

/// Why pairing failed. Every case ends the session; the room should be burnt.
public enum PairingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's key confirmation did not verify: the codes differ, or a relay altered messages.
    case wrongCode
    /// A message could not be parsed.
    case invalidMessage(String)
    /// A message arrived in a state that does not expect it.
    case unexpectedMessage(String)
    /// The SPAKE2 exchange failed (invalid or reflected share).
    case keyExchangeFailed(SPAKE2Error)
    /// The encrypted peer information did not authenticate or was invalid.
    case payloadRejected
    /// The other side aborted.
    case peerAborted(PairingAbortReason)
    /// The local information to send is over the limits.
    case invalidLocalInfo
    /// The exchange did not finish before its deadline.
    case timedOut
    /// Cancelled locally.
    case cancelled

    public var description: String {
        switch self {
        case .wrongCode: return "pairing failed: the code does not match (or the messages were tampered with)"
        case .invalidMessage(let why): return "pairing failed: malformed message (\(why))"
        case .unexpectedMessage(let why): return "pairing failed: unexpected message (\(why))"
        case .keyExchangeFailed(let e): return "pairing failed: \(e)"
        case .payloadRejected: return "pairing failed: the peer's device information did not authenticate"
        case .peerAborted(.confirmationFailed):
            return "pairing failed: the other device says the code does not match"
        case .peerAborted(let r): return "pairing failed: the other device aborted (\(r))"
        case .invalidLocalInfo: return "pairing failed: local device information is too long or empty"
        case .timedOut: return "pairing failed: timed out"
        case .cancelled: return "pairing cancelled"
        }
    }
}
