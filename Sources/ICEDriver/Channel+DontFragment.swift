import NIOCore
import WireKit

/// Don't Fragment on data-path sockets, so PLPMTUD probes (RFC 8899 §3: probes must not be
/// fragmented) either pass whole or are dropped.
extension Channel {
    /// Sets IP_PMTUDISC_PROBE (IPv4) or IPV6_PMTUDISC_PROBE (IPv6) on a UDP socket bound to
    /// `local`: DF is set and the kernel's path MTU cache does not cap the datagrams sent,
    /// which the probing layer sizes itself. Linux only; elsewhere, and when the kernel
    /// refuses, nothing changes (oversize probes may then be fragmented and still answered).
    public func setPathMTUProbing(local: TransportAddress) async {
        #if os(Linux)
        // <linux/in.h> / <linux/in6.h>: IP_MTU_DISCOVER 10, IPV6_MTU_DISCOVER 23, *_PMTUDISC_PROBE 3.
        let option: ChannelOptions.Types.SocketOption
        switch local.ip {
        case .v4: option = .init(level: 0 /* IPPROTO_IP */, name: 10)
        case .v6: option = .init(level: 41 /* IPPROTO_IPV6 */, name: 23)
        }
        try? await setOption(option, value: 3).get()
        #endif
    }
}
