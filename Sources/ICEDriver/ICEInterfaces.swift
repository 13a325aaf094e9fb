import NIOCore
import NIOPosix
import WireKit

/// Which local addresses the driver binds sockets on (one host candidate each).
public enum ICEInterfaceSelection: Sendable, Equatable {
    /// Every usable interface address (IPv4 and global/ULA IPv6; no link-local), loopback only
    /// when `includeLoopback` is true.
    case all(includeLoopback: Bool)
    /// Only 127.0.0.1 (tests and local interop).
    case loopbackOnly
    /// Exactly these addresses.
    case addresses([IPAddress])

    /// The addresses this selection resolves to on this machine, via `System.enumerateDevices()`.
    public func resolve() throws -> [IPAddress] {
        switch self {
        case .loopbackOnly: return [.loopbackV4]
        case .addresses(let list): return list
        case .all(let includeLoopback):
            var out: [IPAddress] = []
            for device in try System.enumerateDevices() {
                guard let socket = device.address, let text = socket.ipAddress, let ip = IPAddress(text) else { continue }
                if ip.isLinkLocal { continue }
                if ip.isLoopback && !includeLoopback { continue }
                if !out.contains(ip) { out.append(ip) }
            }
            return out
        }
    }
}
