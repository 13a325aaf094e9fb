import NIOCore
import NIOPosix

extension DatagramBootstrap {
    /// The receive side of a data-path socket: vectored reads (`recvmmsg`) of `readBatch`
    /// datagrams per call and, when `receiveOffload` is on and the kernel has it, UDP GRO with
    /// per-read segment sizes (one merged read of up to 64 KiB then carries many datagrams;
    /// split them with ``NIOCore/AddressedEnvelope/forEachDatagram(_:)``). `socketBufferBytes`
    /// sets SO_RCVBUF and SO_SNDBUF (the kernel caps them at `net.core.rmem_max`/`wmem_max`).
    public func dataPathOptions(readBatch: Int, maxDatagramSize: Int, receiveOffload: Bool,
                                socketBufferBytes: Int?) -> DatagramBootstrap {
        let gro = receiveOffload && System.supportsUDPReceiveOffload
        // NIO splits one receive buffer evenly among the messages of a vectored read.
        let perMessage = gro ? 65_536 : max(2048, maxDatagramSize + 256)
        var bootstrap = self
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: readBatch)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readBatch * perMessage))
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 64)
        if let bytes = socketBufferBytes {
            bootstrap = bootstrap
                .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(bytes))
                .channelOption(ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(bytes))
        }
        if gro {
            bootstrap = bootstrap
                .channelOption(ChannelOptions.datagramReceiveOffload, value: true)
                .channelOption(ChannelOptions.datagramReceiveSegmentSize, value: true)
        }
        return bootstrap
    }
}
