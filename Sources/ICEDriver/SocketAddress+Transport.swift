import NIOCore
import WireKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TransportAddress {
    /// Converts a NIO socket address (IPv4 or IPv6) straight from its `sockaddr`; nil for Unix
    /// sockets. Drivers call this once per received datagram, so it never goes through text.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            let sin = a.address
            self.init(ip: .v4(UInt32(bigEndian: sin.sin_addr.s_addr)), port: UInt16(bigEndian: sin.sin_port))
        case .v6(let a):
            var sin6 = a.address
            let words = withUnsafeBytes(of: &sin6.sin6_addr) { raw in
                (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            self.init(ip: .v6(words.0, words.1), port: UInt16(bigEndian: sin6.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }

    /// The NIO socket address of this transport address, built as a `sockaddr` (no text).
    public func socketAddress() -> SocketAddress {
        switch ip {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = a.bigEndian
            return SocketAddress(sin, host: "")
        case .v6(let hi, let lo):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                raw.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: lo.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return SocketAddress(sin6, host: "")
        }
    }
}
