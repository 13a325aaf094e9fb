import NIOCore
import WireKit

/// Plumbing only: hands each received datagram (with its source and the socket's own address)
/// to the driver core, and lets it flush once per read burst (NIO reads bursts with recvmmsg).
final class RTCUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let core: RTCDriverCore
    private var localAddress: TransportAddress?

    init(core: RTCDriverCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if localAddress == nil { localAddress = context.channel.localAddress.flatMap(TransportAddress.init(nio:)) }
        guard let local = localAddress, let source = TransportAddress(nio: envelope.remoteAddress) else { return }
        let bytes = envelope.data.withUnsafeReadableBytes { Array($0) }
        core.receive(bytes, source: source, destination: local)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.afterInput()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors on unconnected UDP sockets: ICE retransmissions and consent handle them.
    }
}

extension TransportAddress {
    /// Converts a NIO socket address (IPv4 or IPv6); nil for Unix sockets.
    init?(nio address: SocketAddress) {
        guard let text = address.ipAddress, let port = address.port, let ip = IPAddress(text), let p = UInt16(exactly: port) else { return nil }
        self.init(ip: ip, port: p)
    }

    /// The NIO socket address of this transport address.
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: ip.description, port: Int(port))
    }
}
