import WireKit

extension IPAddress {
    /// True for addresses that are only reachable inside a site: RFC 1918 and RFC 6598 (shared,
    /// carrier-grade NAT) IPv4, loopback, IPv4 and IPv6 link-local, and IPv6 unique local
    /// (fc00::/7). A TURN server on a public address has no route to them.
    var isPrivateScope: Bool {
        switch self {
        case .v4(let a):
            return a >> 24 == 10 || a >> 20 == 0xAC1 || a >> 16 == 0xC0A8 || a >> 22 == 0x191 || isLoopback || isLinkLocal
        case .v6(let hi, _):
            return isLoopback || isLinkLocal || hi >> 57 == 0x7E
        }
    }
}
