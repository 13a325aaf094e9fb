import NIOCore
import WireKit

/// A driver core that takes the datagrams a ``UDPHandler`` reads: one call per datagram, then
/// one call at the end of each read burst, where it flushes what the datagrams produced.
public protocol DatagramSink: AnyObject {
    /// One received datagram (a view of the receive buffer, valid only during the call), its
    /// source and the socket's own address.
    func receive(_ bytes: UnsafeRawBufferPointer, source: TransportAddress, destination: TransportAddress)
    /// The read burst is over (NIO reads bursts with recvmmsg).
    func readComplete()
}

/// Plumbing only, shared by the ICE and RTC drivers: hands each received datagram (with its
/// source and the socket's own address) to the driver core (each of them when UDP GRO merged
/// several), and lets it flush once per read burst.
public final class UDPHandler<Sink: DatagramSink>: ChannelInboundHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let core: Sink
    private var localAddress: TransportAddress?

    /// A handler feeding `core`.
    public init(core: Sink) { self.core = core }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if localAddress == nil { localAddress = context.channel.localAddress.flatMap(TransportAddress.init) }
        guard let local = localAddress, let source = TransportAddress(envelope.remoteAddress) else { return }
        envelope.forEachDatagramBytes { core.receive($0, source: source, destination: local) }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        core.readComplete()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors (port unreachable) surface here on connection-less UDP; ICE retransmissions
        // and consent checks handle unreachable peers, so they are ignored.
    }
}
