import ICEDriver
import NIOCore
import NIOPosix
import Testing
import WireKit

/// The driver's shared data path: sockaddr conversions, GRO splitting, and GSO batching over
/// real loopback sockets (the kernel must deliver every datagram, in order, byte for byte).
@Suite struct DataPathTests {
    @Test(arguments: ["127.0.0.1:5000", "10.1.2.3:1", "[::1]:443", "[2001:db8::1:2]:65535"])
    func socketAddressRoundTrip(text: String) throws {
        let address = try #require(TransportAddress(text))
        let socket = address.socketAddress()
        #expect(socket.port == Int(address.port))
        #expect(socket.ipAddress.flatMap { IPAddress($0) } == address.ip)
        #expect(TransportAddress(socket) == address)
        let parsed = try SocketAddress(ipAddress: address.ip.description, port: Int(address.port))
        #expect(TransportAddress(parsed) == address)
    }

    @Test func mergedReadsSplitIntoSegmentsInOrder() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 32)
        buffer.writeBytes((0..<25).map { UInt8($0) })
        let remote = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        let merged = AddressedEnvelope(remoteAddress: remote, data: buffer,
                                       metadata: .init(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: 10))
        let bytes: [UInt8] = (0..<25).map { UInt8($0) }
        var parts: [[UInt8]] = []
        merged.forEachDatagram { parts.append($0) }
        let expected: [[UInt8]] = [Array(bytes[0..<10]), Array(bytes[10..<20]), Array(bytes[20..<25])]
        #expect(parts == expected)
        var whole: [[UInt8]] = []
        AddressedEnvelope(remoteAddress: remote, data: buffer).forEachDatagram { whole.append($0) }
        #expect(whole == [bytes])
    }

    /// Runs of equal sizes, a short one ending a run, size changes and a second destination,
    /// through ``DatagramWriter`` to a socket with GRO on and one without.
    @Test(arguments: [true, false])
    func writerDeliversEveryDatagramInOrder(receiveOffload: Bool) async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let receiver = try await DatagramBootstrap(group: loop)
            .dataPathOptions(readBatch: 8, maxDatagramSize: 1200, receiveOffload: receiveOffload, socketBufferBytes: 1 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(continuation)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let sender = try await DatagramBootstrap(group: loop).bind(host: "127.0.0.1", port: 0).get()
        let to = try #require(receiver.localAddress.flatMap { TransportAddress($0) })
        let from = try #require(sender.localAddress.flatMap { TransportAddress($0) })
        var datagrams: [[UInt8]] = []
        for (count, size) in [(30, 1000), (1, 500), (3, 1000), (5, 80), (70, 1200), (1, 1)] {
            for _ in 0..<count {
                let n = datagrams.count
                datagrams.append((0..<size).map { UInt8(truncatingIfNeeded: $0 &+ n) })
            }
        }
        let sent = datagrams
        let (written, writes) = try await loop.submit {
            let writer = DatagramWriter(loop: loop)
            writer.channels[from] = sender
            for d in sent { writer.write(Transmit(source: from, destination: to, payload: d)) }
            writer.write(Transmit(source: to, destination: from, payload: [1, 2, 3]))  // no channel: dropped
            writer.flush()
            return (writer.datagramsWritten, writer.writesIssued)
        }.get()
        #expect(written == sent.count)
        if System.supportsUDPSegmentationOffload { #expect(writes < written) } else { #expect(writes == written) }
        let collected = try await withThrowingTaskGroup(of: [[UInt8]]?.self) { group in
            group.addTask {
                var out: [[UInt8]] = []
                for await d in stream {
                    out.append(d)
                    if out.count == sent.count { break }
                }
                return out
            }
            group.addTask {
                try await Task.sleep(for: .seconds(120))  // a bound, not a wait: the stream ends it first
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let received = try #require(collected, "timed out waiting for \(sent.count) datagrams")
        #expect(received == sent)
        try await receiver.close()
        try await sender.close()
    }
}

/// Yields every datagram a socket receives (GRO reads split) to a stream.
private final class Collector: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let continuation: AsyncStream<[UInt8]>.Continuation
    init(_ continuation: AsyncStream<[UInt8]>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        unwrapInboundIn(data).forEachDatagram { continuation.yield($0) }
    }
}
