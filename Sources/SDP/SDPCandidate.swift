/// `a=candidate:` (RFC 8839 §5.1): an ICE candidate, kept as its exact attribute value plus
/// the fixed leading fields parsed for convenience. The ICE module owns full candidate
/// parsing (extension attributes, `raddr`/`rport`, `tcptype`): use ``value`` for that.
public struct SDPCandidate: Hashable, Sendable, CustomStringConvertible {
    /// The attribute value exactly as received, without the `candidate:` prefix.
    public let value: String
    /// The foundation (1–32 `ice-char`s).
    public let foundation: String
    /// The component ID (1 for RTP / data, 2 for RTCP without rtcp-mux).
    public let component: UInt32
    /// The transport as written (`udp`, `UDP`, `tcp`…).
    public let transport: String
    /// The candidate priority.
    public let priority: UInt32
    /// The connection address: an IP address or an mDNS host name (`….local`).
    public let address: String
    /// The port.
    public let port: UInt16
    /// The candidate type after `typ` (`host`, `srflx`, `prflx`, `relay`).
    public let type: String

    /// The attribute value, suitable for an `RTCIceCandidate.candidate` without the
    /// `candidate:` prefix.
    public var description: String { value }

    /// The full `candidate:…` string as W3C `RTCIceCandidate.candidate` carries it.
    public var attributeString: String { "candidate:" + value }

    /// Parses a candidate attribute value (checks only the fixed fields of RFC 8839 §5.1).
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = SDPScalars.fields(value)
        guard f.count >= 8, f[6] == "typ" else {
            throw SDPAttributeValueError("candidate needs `<foundation> <component> <transport> <priority> <address> <port> typ <type>`")
        }
        guard f[0].utf8.count <= 32, SDPScalars.isNonSpaceString(f[0]) else {
            throw SDPAttributeValueError("candidate foundation must be 1–32 characters")
        }
        guard let component = SDPScalars.number(f[1], as: UInt32.self), component > 0 else {
            throw SDPAttributeValueError("candidate component must be a positive number")
        }
        guard let priority = SDPScalars.number(f[3], as: UInt32.self) else {
            throw SDPAttributeValueError("candidate priority must be a 32-bit number")
        }
        guard let port = SDPScalars.number(f[5], as: UInt16.self) else {
            throw SDPAttributeValueError("candidate port must be 0–65535")
        }
        guard SDPScalars.isToken(f[2]), SDPScalars.isNonSpaceString(f[4]), SDPScalars.isToken(f[7]) else {
            throw SDPAttributeValueError("candidate transport, address and type must be tokens")
        }
        self.value = String(value)
        self.foundation = String(f[0])
        self.component = component
        self.transport = String(f[2])
        self.priority = priority
        self.address = String(f[4])
        self.port = port
        self.type = String(f[7])
    }
}
