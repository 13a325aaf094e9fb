import ICEDriver
import NIOCore
import WireKit

/// Plumbing only: hands each received datagram (with its source and the socket's own address)
/// to the driver core (each of them when UDP GRO merged several), and lets it flush once per
/// read burst (NIO reads bursts with recvmmsg).
final class RTCUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let core: RTCDriverCore
    private var localAddress: TransportAddress?

    init(core: RTCDriverCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if localAddress == nil { localAddress = context.channel.localAddress.flatMap(TransportAddress.init) }
        guard let local = localAddress, let source = TransportAddress(envelope.remoteAddress) else { return }
        envelope.forEachDatagram { core.receive($0, source: source, destination: local) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.readComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors on unconnected UDP sockets: ICE retransmissions and consent handle them.
    }
}
