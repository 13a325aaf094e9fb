import NIOCore
import WireKit

extension TransportAddress {
    /// Converts a NIO socket address (IPv4 or IPv6); nil for Unix sockets.
    init?(_ address: SocketAddress) {
        guard let text = address.ipAddress, let port = address.port, let ip = IPAddress(text), let p = UInt16(exactly: port) else { return nil }
        self.init(ip: ip, port: p)
    }

    /// The NIO socket address of this transport address.
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: ip.description, port: Int(port))
    }
}
