#if canImport(Glibc)
import Glibc
#endif
import WireKit

/// A blocking IPv4 UDP socket with a poll-based receive timeout: the netlab probe's whole I/O layer.
/// (The probe runs one agent on one socket; the SwiftNIO driver is `ICEDriver`, used by the daemon.)
final class UDPSocket {
    /// The bound local address (the port the kernel chose).
    let local: TransportAddress
    private let fd: Int32

    /// Binds to `ip` on an ephemeral port.
    init(bindingTo ip: IPAddress) throws(ProbeError) {
        guard case .v4 = ip else { throw .usage("only IPv4 bind addresses are supported") }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var sin = UDPSocket.socketAddress(TransportAddress(ip: ip, port: 0))
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw .system("bind", errno) }
        var bound = sockaddr_in(), len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        local = TransportAddress(ip: ip, port: UInt16(bigEndian: bound.sin_port))
    }

    deinit { close(fd) }

    /// Sends one datagram (errors such as ENETUNREACH are ignored: UDP is lossy anyway).
    func send(_ payload: [UInt8], to destination: TransportAddress) {
        var sin = UDPSocket.socketAddress(destination)
        _ = payload.withUnsafeBytes { buffer in
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for one datagram.
    func receive(timeoutMilliseconds: Int32) -> (payload: [UInt8], source: TransportAddress)? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, max(0, timeoutMilliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var from = sockaddr_in(), len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &len) }
            }
        }
        guard n >= 0 else { return nil }
        let ip = withUnsafeBytes(of: from.sin_addr.s_addr) { IPAddress(bytes: Array($0)) } ?? .v4(0)
        return (Array(buffer.prefix(n)), TransportAddress(ip: ip, port: UInt16(bigEndian: from.sin_port)))
    }

    private static func socketAddress(_ address: TransportAddress) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = address.port.bigEndian
        let b = address.ip.bytes
        if b.count == 4 {
            sin.sin_addr.s_addr = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        }
        return sin
    }
}
