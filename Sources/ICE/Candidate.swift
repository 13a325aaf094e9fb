import WireKit

/// An ICE candidate: a transport address a peer can be reached at, with its type, priority and
/// foundation (RFC 8445 §5.1). Parsed from and written to SDP `candidate` lines by
/// ``init(sdp:)`` and ``sdpLine``.
public struct Candidate: Hashable, Sendable, CustomStringConvertible {
    /// Candidates with the same foundation share base, type and server (§5.1.1.3).
    public var foundation: String
    /// The component (1 = RTP or the only component of a data session).
    public var component: UInt16
    /// The transport protocol; only `udp` is used.
    public var transport: String
    /// The priority (§5.1.2).
    public var priority: UInt32
    /// The candidate's transport address. For an unresolved mDNS candidate its IP is unspecified.
    public var address: TransportAddress
    /// The `.local` host name of an mDNS candidate, if it was given as a name.
    public var hostname: String?
    /// The candidate type.
    public var type: CandidateType
    /// The related address (`raddr`/`rport`): the base of a reflexive candidate, the mapped
    /// address of a relayed one.
    public var relatedAddress: TransportAddress?
    /// The ICE username fragment of the generation this candidate belongs to, if given.
    public var ufrag: String?
    /// The `generation` extension, if given.
    public var generation: Int?

    /// Creates a candidate.
    public init(foundation: String, component: UInt16 = 1, transport: String = "udp", priority: UInt32,
                address: TransportAddress, type: CandidateType, relatedAddress: TransportAddress? = nil,
                hostname: String? = nil, ufrag: String? = nil, generation: Int? = nil) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.type = type
        self.relatedAddress = relatedAddress
        self.hostname = hostname
        self.ufrag = ufrag
        self.generation = generation
    }

    /// The priority formula of RFC 8445 §5.1.2.1:
    /// 2^24 × type preference + 2^8 × local preference + (256 − component).
    public static func priority(type: CandidateType, localPreference: UInt16, component: UInt16 = 1) -> UInt32 {
        (type.typePreference << 24) + (UInt32(localPreference) << 8) + (256 - UInt32(min(component, 256)))
    }

    /// The local preference for the `index`-th interface: IPv6 above IPv4 (RFC 8421), earlier
    /// interfaces above later ones; unique per address so priorities stay unique (§5.1.2.1).
    public static func localPreference(for address: IPAddress, interfaceIndex: Int) -> UInt16 {
        let base: Int = address.isIPv4 ? 30_000 : 60_000
        return UInt16(clamping: base - min(interfaceIndex, 1000) * 16)
    }

    /// A foundation string for candidates of `type` on `base` learnt through `server` (§5.1.1.3):
    /// a stable decimal hash, the same for the same inputs.
    public static func foundation(type: CandidateType, base: IPAddress, server: TransportAddress? = nil) -> String {
        var hash: UInt32 = 2_166_136_261
        func mix(_ bytes: [UInt8]) { for b in bytes { hash = (hash ^ UInt32(b)) &* 16_777_619 } }
        mix(Array(type.rawValue.utf8))
        mix(base.bytes)
        if let server { mix(server.ip.bytes); mix([UInt8(server.port >> 8), UInt8(server.port & 0xFF)]) }
        mix(Array("udp".utf8))
        return String(hash)
    }

    public var description: String { sdpLine }
}
