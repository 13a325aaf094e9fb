import NIOCore
import WireKit

/// Don't Fragment on data-path sockets, so PLPMTUD probes (RFC 8899 §3: probes must not be
/// fragmented) either pass whole or are dropped; and the one exception, a datagram the layer
/// above marked as fragmentable (``Transmit/mayFragment``).
extension Channel {
    /// Sets IP_PMTUDISC_PROBE (IPv4) or IPV6_PMTUDISC_PROBE (IPv6) on a UDP socket bound to
    /// `local`: DF is set and the kernel's path MTU cache does not cap the datagrams sent,
    /// which the probing layer sizes itself. Linux only; elsewhere, and when the kernel
    /// refuses, nothing changes (oversize probes may then be fragmented and still answered).
    public func setPathMTUProbing(local: TransportAddress) async {
        #if os(Linux)
        try? await setOption(Self.mtuDiscoverOption(local), value: Self.pmtudiscProbe).get()
        #endif
    }

    /// On the channel's event loop, switches the socket bound to `local` between letting the
    /// kernel fragment what it sends (`allowed`: IP_PMTUDISC_DONT / IPV6_PMTUDISC_DONT, no DF,
    /// fragments to the interface MTU) and the DF-always mode of ``setPathMTUProbing(local:)``.
    /// The mode is read when a datagram is sent (`sendmsg`), so a driver brackets the send of
    /// one marked datagram with it. Linux only; false when it could not be set.
    @discardableResult
    public func setFragmentationAllowed(_ allowed: Bool, local: TransportAddress) -> Bool {
        #if os(Linux)
        guard let options = syncOptions else { return false }
        do {
            try options.setOption(Self.mtuDiscoverOption(local), value: allowed ? Self.pmtudiscDont : Self.pmtudiscProbe)
            return true
        } catch {
            return false
        }
        #else
        return false
        #endif
    }

    // <linux/in.h> / <linux/in6.h>: IP_MTU_DISCOVER 10, IPV6_MTU_DISCOVER 23;
    // *_PMTUDISC_DONT 0, *_PMTUDISC_PROBE 3 (the same values for both families).
    private static var pmtudiscDont: SocketOptionValue { 0 }
    private static var pmtudiscProbe: SocketOptionValue { 3 }

    private static func mtuDiscoverOption(_ local: TransportAddress) -> ChannelOptions.Types.SocketOption {
        switch local.ip {
        case .v4: .init(level: 0 /* IPPROTO_IP */, name: 10)
        case .v6: .init(level: 41 /* IPPROTO_IPV6 */, name: 23)
        }
    }
}
