/// Constants of the rendezvous wire protocol (see `docs/rendezvous-protocol.md`).
///
/// Everything a client and the server must agree on byte for byte lives here: the protocol
/// version, the WebSocket path, the nonce length and the domain-separation prefix of the
/// authentication signature.
public enum SignalingProtocol {
    /// The protocol version announced in `hello`.
    public static let version = 1

    /// The HTTP path of the WebSocket endpoint.
    public static let webSocketPath = "/ws"

    /// Length in bytes of the server's authentication nonce.
    public static let nonceLength = 32

    /// The domain-separation prefix of the signed authentication transcript:
    /// the ASCII text `peersync-rendezvous-auth-v1` followed by one zero byte.
    public static let authPrefix: [UInt8] = Array("peersync-rendezvous-auth-v1".utf8) + [0]

    /// The bytes a client signs to authenticate: `authPrefix || nonce (32 bytes) ||
    /// UTF-8(serverIdentity)`. The nonce has a fixed length, so the split is unambiguous.
    public static func authTranscript(nonce: [UInt8], serverIdentity: String) -> [UInt8] {
        var bytes = authPrefix
        bytes.reserveCapacity(authPrefix.count + nonce.count + serverIdentity.utf8.count)
        bytes.append(contentsOf: nonce)
        bytes.append(contentsOf: serverIdentity.utf8)
        return bytes
    }

    /// The longest room code accepted (client-chosen or server-made).
    public static let maxRoomCodeLength = 64

    /// True when `code` is a well-formed room code: 1–64 characters from `A–Z a–z 0–9 - _ .`.
    public static func isValidRoomCode(_ code: String) -> Bool {
        let utf8 = code.utf8
        guard !utf8.isEmpty, utf8.count <= maxRoomCodeLength else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        return true
    }
}
