import NIOCore
import WireKit

/// Writes a core's outgoing datagrams to its NIO UDP channels in batches, then flushes each
/// channel once (NIO sends the queued writes of a flush with one `sendmmsg`).
///
/// With UDP generic segmentation offload (Linux ≥ 4.18), consecutive datagrams from one
/// socket to one destination that all have the size of the first (the last may be shorter)
/// are merged into one buffer written with a GSO segment size: the kernel sends them as one
/// super-packet down the stack and splits it at the last moment (or not at all on loopback to
/// a socket with UDP GRO enabled). Bulk SCTP traffic is exactly that: runs of full-size DTLS
/// records. If the first GSO write on a channel fails (a kernel or device that refuses it),
/// segmentation is turned off for the writer and the lost datagrams are left to the protocols'
/// retransmissions.
///
/// Confined to the event loop of its channels.
public final class DatagramWriter {
    /// The channel of each bound local address (the `source` of a transmit).
    public var channels: [TransportAddress: any Channel] = [:]
    /// Whether runs of equal-sized datagrams are merged into GSO writes.
    public private(set) var segmentationOffload: Bool
    /// Datagrams written, and how many system-level writes (GSO batches count once) carried them.
    public private(set) var datagramsWritten = 0
    /// Writes handed to NIO (a GSO batch is one).
    public private(set) var writesIssued = 0

    /// At most this many segments per GSO write (the kernel's UDP_MAX_SEGMENTS is 64 or more).
    static let maxSegments = 64
    /// At most this many bytes per GSO write (one UDP datagram's payload limit is 65 507).
    static let maxBatchBytes = 65_000

    private let loop: any EventLoop
    private var batch: Batch?
    private var touched: [any Channel] = []
    private var verified: Set<ObjectIdentifier> = []
    private var lastDestination: (TransportAddress, SocketAddress)?

    /// A run of datagrams being merged: same socket, same destination, `segmentSize` each.
    /// A class, so appending edits it in place (a struct in an optional was copied out and
    /// back per datagram, with a retain and release of each field).
    private final class Batch {
        var channel: any Channel
        var source: TransportAddress
        var destination: TransportAddress
        var remote: SocketAddress
        var buffer: ByteBuffer
        var segmentSize: Int
        var count: Int
        /// False once a datagram shorter than `segmentSize` ended the run.
        var open: Bool

        init(channel: any Channel, source: TransportAddress, destination: TransportAddress, remote: SocketAddress,
             buffer: ByteBuffer, segmentSize: Int, count: Int, open: Bool) {
            self.channel = channel
            self.source = source
            self.destination = destination
            self.remote = remote
            self.buffer = buffer
            self.segmentSize = segmentSize
            self.count = count
            self.open = open
        }
    }

    /// A writer on `loop`; `segmentationOffload` defaults to what the system supports.
    public init(loop: any EventLoop, segmentationOffload: Bool = System.supportsUDPSegmentationOffload) {
        self.loop = loop
        self.segmentationOffload = segmentationOffload && System.supportsUDPSegmentationOffload
    }

    /// Queues one datagram (dropped when its source has no channel).
    public func write(_ transmit: Transmit) {
        write(source: transmit.source, destination: transmit.destination, size: transmit.payload.count) { out in
            transmit.payload.withUnsafeBytes { out.copyMemory(from: $0) }
            return transmit.payload.count
        }
    }

    /// Queues one datagram of `size` bytes from the socket bound to `source` to `destination`,
    /// written in place by `fill` into the send buffer (exactly `size` bytes; no copy of a
    /// datagram made elsewhere first). `fill` returns the bytes it wrote: `size`, or anything
    /// else to drop the datagram (nothing is sent then). Dropped, without calling `fill`, when
    /// `source` has no channel.
    public func write(source: TransportAddress, destination: TransportAddress, size: Int,
                      _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        if let b = batch {
            if b.open, b.source == source, b.destination == destination, size <= b.segmentSize, size > 0,
               b.count < Self.maxSegments, b.buffer.readableBytes + size <= Self.maxBatchBytes {
                guard Self.append(&b.buffer, size: size, fill) else { return }
                b.count += 1
                b.open = size == b.segmentSize
                return
            }
            emit(b)
            batch = nil
        }
        guard let channel = channels[source] else { return }
        let remote = socketAddress(destination)
        guard segmentationOffload, size > 0, size * 2 <= Self.maxBatchBytes else {
            var buffer = channel.allocator.buffer(capacity: size)
            guard Self.append(&buffer, size: size, fill) else { return }
            send(channel, AddressedEnvelope(remoteAddress: remote, data: buffer), count: 1)
            return
        }
        let capacity = min(Self.maxBatchBytes, size * Self.maxSegments)
        var buffer = channel.allocator.buffer(capacity: capacity)
        guard Self.append(&buffer, size: size, fill) else { return }
        batch = Batch(channel: channel, source: source, destination: destination, remote: remote,
                      buffer: buffer, segmentSize: size, count: 1, open: true)
    }

    /// Lets `fill` write `size` bytes at the end of `buffer`; false, with `buffer` unchanged,
    /// when it wrote any other number.
    private static func append(_ buffer: inout ByteBuffer, size: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Bool {
        var ok = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            let written = fill(UnsafeMutableRawBufferPointer(rebasing: raw[0..<size]))
            ok = written == size
            return ok ? size : 0
        }
        return ok
    }

    /// Writes what is still being merged and flushes every channel written to since the last flush.
    public func flush() {
        if let b = batch {
            batch = nil
            emit(b)
        }
        for channel in touched { channel.flush() }
        touched.removeAll(keepingCapacity: true)
    }

    private func emit(_ b: Batch) {
        guard b.count > 1 else {
            send(b.channel, AddressedEnvelope(remoteAddress: b.remote, data: b.buffer), count: 1)
            return
        }
        let metadata = AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: b.segmentSize)
        let envelope = AddressedEnvelope(remoteAddress: b.remote, data: b.buffer, metadata: metadata)
        let id = ObjectIdentifier(b.channel)
        if verified.contains(id) {
            send(b.channel, envelope, count: b.count)
            return
        }
        verified.insert(id)
        let promise = loop.makePromise(of: Void.self)
        let bound = NIOLoopBound(self, eventLoop: loop)
        promise.futureResult.whenFailure { _ in bound.value.segmentationOffload = false }
        note(b.channel, count: b.count)
        b.channel.write(envelope, promise: promise)
    }

    private func send(_ channel: any Channel, _ envelope: AddressedEnvelope<ByteBuffer>, count: Int) {
        note(channel, count: count)
        channel.write(envelope, promise: nil)
    }

    private func note(_ channel: any Channel, count: Int) {
        datagramsWritten += count
        writesIssued += 1
        if !touched.contains(where: { $0 === channel }) { touched.append(channel) }
    }

    private func socketAddress(_ destination: TransportAddress) -> SocketAddress {
        if let (t, s) = lastDestination, t == destination { return s }
        let s = destination.socketAddress()
        lastDestination = (destination, s)
        return s
    }
}
