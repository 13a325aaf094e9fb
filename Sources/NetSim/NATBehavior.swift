/// An RFC 4787 NAT behaviour, used for both mapping (§4.1) and filtering (§5).
///
/// As *mapping* behaviour it says when the NAT reuses an external port: for every
/// destination (endpoint-independent), per destination IP (address-dependent) or per
/// destination IP and port (address-and-port-dependent, the "symmetric" NAT).
/// As *filtering* behaviour it says which inbound datagrams reach a mapping: from anyone
/// (endpoint-independent), from IPs the inside host sent to (address-dependent), or from
/// exactly the IP:port pairs it sent to (address-and-port-dependent).
public enum NATBehavior: Sendable, Hashable, CaseIterable {
    /// Independent of the remote endpoint.
    case endpointIndependent
    /// Depends on the remote IP address only.
    case addressDependent
    /// Depends on the remote IP address and port.
    case addressAndPortDependent
}

/// The classic NAT names (RFC 3489 vocabulary), as mapping/filtering pairs of RFC 4787.
public enum NATType: Sendable, Hashable, CaseIterable {
    /// Endpoint-independent mapping and filtering.
    case fullCone
    /// Endpoint-independent mapping, address-dependent filtering.
    case restrictedCone
    /// Endpoint-independent mapping, address-and-port-dependent filtering.
    case portRestrictedCone
    /// Address-and-port-dependent mapping and filtering.
    case symmetric

    /// The RFC 4787 mapping behaviour.
    public var mapping: NATBehavior {
        self == .symmetric ? .addressAndPortDependent : .endpointIndependent
    }

    /// The RFC 4787 filtering behaviour.
    public var filtering: NATBehavior {
        switch self {
        case .fullCone: .endpointIndependent
        case .restrictedCone: .addressDependent
        case .portRestrictedCone, .symmetric: .addressAndPortDependent
        }
    }
}
