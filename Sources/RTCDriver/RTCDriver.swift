import DataChannel
import ICEDriver
import NIOCore
import NIOPosix
import PeerConnection
import WireKit

/// Why an ``RTCDriver`` call failed.
public enum RTCDriverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The connection is closed.
    case closed
    /// The channel closed while a `send` waited or was attempted.
    case channelClosed
    /// No socket could be bound.
    case noInterfaces

    public var description: String {
        switch self {
        case .closed: return "the peer connection is closed"
        case .channelClosed: return "the data channel is closed"
        case .noInterfaces: return "no local address could be bound"
        }
    }
}

/// Runs a ``PeerConnection`` on SwiftNIO UDP sockets with an `async` API.
///
/// - one UDP socket per local address (vectored reads: NIO's recvmmsg path, with UDP GRO where
///   the kernel has it; the writes of one burst are flushed together, which NIO sends with
///   sendmmsg, and runs of full-size datagrams go out as UDP GSO writes), one timer from
///   `pollTimeout()`;
/// - ``events``: every W3C event except `message`; messages arrive on each channel's
///   ``messages(_:)`` stream;
/// - ``send(_:on:)`` suspends while the channel's `bufferedAmount` is above its high-water
///   mark and resumes on `bufferedamountlow` (so set a low threshold below the mark);
/// - ``PerfectNegotiator`` runs the W3C perfect negotiation pattern on top (glare-safe
///   renegotiation from either side).
///
/// All connection access happens on one event loop; the methods hop onto it.
public final class RTCDriver: Sendable {
    /// The connection's events (candidates to signal, states, channels).
    public let events: AsyncStream<PeerConnectionEvent>
    /// The event loop the connection lives on.
    public let eventLoop: any EventLoop
    /// The bound local addresses (one host candidate each).
    public let localAddresses: [TransportAddress]
    private let core: NIOLoopBound<RTCDriverCore>
    /// Each channel's send buffer as senders off the loop see it (sends below the mark do not wait).
    private let ledger: SendLedger
    /// Datagrams (GRO-merged reads) per recvmmsg call.
    static let vectorReadCount = 16

    private init(events: AsyncStream<PeerConnectionEvent>, eventLoop: any EventLoop, localAddresses: [TransportAddress],
                 core: NIOLoopBound<RTCDriverCore>, ledger: SendLedger) {
        self.events = events
        self.eventLoop = eventLoop
        self.localAddresses = localAddresses
        self.core = core
        self.ledger = ledger
    }

    /// Binds one UDP socket (ephemeral port) per selected address and creates the connection.
    /// `highWaterMark` is the default `bufferedAmount` above which `send` suspends.
    /// `udpOffload` turns UDP GSO/GRO on where the kernel has them (off: one datagram per write
    /// and per read, for comparison).
    public static func start(configuration: PeerConnectionConfiguration, interfaces: ICEInterfaceSelection = .all(includeLoopback: false),
                             highWaterMark: Int = 4 << 20, socketBufferBytes: Int = 4 << 20,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                             udpOffload: Bool = true) async throws -> RTCDriver {
        let loop = group.next()
        let (stream, continuation) = AsyncStream<PeerConnectionEvent>.makeStream(bufferingPolicy: .unbounded)
        let ledger = SendLedger(defaultHighWaterMark: highWaterMark)
        let bound = try await loop.submit {
            NIOLoopBound(RTCDriverCore(pc: PeerConnection(configuration: configuration), loop: loop, events: continuation,
                                       ledger: ledger, segmentationOffload: udpOffload), eventLoop: loop)
        }.get()
        var addresses: [TransportAddress] = []
        for ip in try interfaces.resolve() {
            let channel: any Channel
            do {
                channel = try await DatagramBootstrap(group: loop)
                    .dataPathOptions(readBatch: Self.vectorReadCount, maxDatagramSize: configuration.maxDatagramSize,
                                     receiveOffload: udpOffload, socketBufferBytes: socketBufferBytes)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(UDPHandler(core: bound.value))
                        }
                    }
                    .bind(host: ip.description, port: 0).get()
            } catch {
                continue
            }
            guard let local = channel.localAddress.flatMap(TransportAddress.init) else {
                try? await channel.close()
                continue
            }
            if configuration.pathMTUDiscovery { await channel.setPathMTUProbing(local: local) }
            addresses.append(local)
            try await loop.submit {
                bound.value.writer.channels[local] = channel
                bound.value.pc.addLocalInterface(local)
            }.get()
        }
        guard !addresses.isEmpty else { throw RTCDriverError.noInterfaces }
        return RTCDriver(events: stream, eventLoop: loop, localAddresses: addresses, core: bound, ledger: ledger)
    }

    /// Runs `body` on the loop with the connection, then flushes its output.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PeerConnection) throws -> T) async throws -> T {
        let core = self.core
        return try await eventLoop.submit {
            core.value.pc.handle(timeout: .monotonicNow())
            let value = try body(core.value.pc)
            core.value.afterInput()
            return value
        }.get()
    }

    // MARK: JSEP

    /// W3C `setLocalDescription()` (parameterless): the offer or answer to signal.
    public func setLocalDescription() async throws -> SessionDescriptionInit {
        try await withConnection { try $0.setLocalDescription() }
    }

    /// W3C `setLocalDescription(description)`: the description last created, or a rollback.
    public func setLocalDescription(_ description: SessionDescriptionInit) async throws {
        try await withConnection { try $0.setLocalDescription(description) }
    }

    /// W3C `signalingState`.
    public func signalingState() async throws -> SignalingState {
        try await withConnection { $0.signalingState }
    }

    /// W3C `setRemoteDescription`.
    public func setRemoteDescription(_ description: SessionDescriptionInit) async throws {
        try await withConnection { try $0.setRemoteDescription(description) }
    }

    /// W3C `addIceCandidate` (nil or empty: end of candidates).
    public func addIceCandidate(_ candidate: ICECandidateInit?) async throws {
        try await withConnection { try $0.addIceCandidate(candidate) }
    }

    /// W3C `restartIce`.
    public func restartIce() async throws {
        try await withConnection { $0.restartIce() }
    }

    /// W3C `getStats`.
    public func getStats() async throws -> RTCStatsReport {
        try await withConnection { $0.getStats() }
    }

    // MARK: Data channels

    /// W3C `createDataChannel`.
    public func createDataChannel(_ label: String, options: DataChannelInit = DataChannelInit()) async throws -> DataChannelHandle {
        try await withConnection { try $0.createDataChannel(label, options: options) }
    }

    /// A snapshot of a channel.
    public func dataChannel(_ handle: DataChannelHandle) async throws -> DataChannelInfo? {
        try await withConnection { $0.dataChannel(handle) }
    }

    /// The messages received on `handle`, in order; finishes when the channel closes.
    /// Each channel's stream can be taken once.
    public func messages(_ handle: DataChannelHandle) async throws -> AsyncStream<DataChannelMessage> {
        let core = self.core
        return try await eventLoop.submit { core.value.takeMessages(handle) }.get()
    }

    /// The messages received on `handle`, in order, in batches: everything one read burst
    /// brought, yielded once at the end of the burst, so the reader wakes once per burst
    /// rather than once per message. Finishes when the channel closes. Each channel's stream
    /// (this or ``messages(_:)``) can be taken once.
    public func messageBatches(_ handle: DataChannelHandle) async throws -> AsyncStream<[DataChannelMessage]> {
        let core = self.core
        return try await eventLoop.submit { core.value.takeMessageBatches(handle) }.get()
    }

    /// Finishes `handle`'s message stream now, after what it holds (its reader is going away);
    /// messages received on the channel later are dropped.
    public func endMessages(_ handle: DataChannelHandle) async {
        let core = self.core
        try? await eventLoop.submit { core.value.endMessages(handle) }.get()
    }

    /// Sets `bufferedAmountLowThreshold` and the high-water mark above which ``send(_:on:)`` waits.
    public func setFlowControl(_ handle: DataChannelHandle, lowThreshold: Int, highWaterMark: Int) async throws {
        let core = self.core
        ledger.setHighWaterMark(max(highWaterMark, lowThreshold), on: handle)
        try await eventLoop.submit {
            core.value.pc.setBufferedAmountLowThreshold(lowThreshold, for: handle)
        }.get()
    }

    /// Receive-side flow control for `handle` (opt-in): from now on the bytes of its messages
    /// count as a backlog until reported with ``consumed(_:on:)``; while the backlog is above
    /// `limit`, the connection stops taking data channel events out of SCTP, so the receive
    /// window closes and the peer stops sending (for every channel of the connection: SCTP has
    /// one window). `limit` must exceed the largest message the application needs whole.
    public func setReceiveFlowControl(_ handle: DataChannelHandle, limit: Int) async throws {
        let core = self.core
        try await eventLoop.submit { core.value.startReceiveFlowControl(handle, limit: limit) }.get()
    }

    /// The application processed `bytes` of `handle`'s received messages (see
    /// ``setReceiveFlowControl(_:limit:)``). Does not wait.
    public func consumed(_ bytes: Int, on handle: DataChannelHandle) {
        let core = self.core
        eventLoop.execute { core.value.consumed(bytes, on: handle) }
    }

    /// Sends a binary message; suspends first while `bufferedAmount` is above the high-water mark.
    public func send(_ bytes: [UInt8], on handle: DataChannelHandle) async throws {
        try await send(bytes[...], on: handle)
    }

    /// Sends a binary message given as a slice of a larger buffer (queued without a copy; the
    /// buffer is kept until the message is acknowledged); suspends first while
    /// `bufferedAmount` is above the high-water mark.
    public func send(_ bytes: ArraySlice<UInt8>, on handle: DataChannelHandle) async throws {
        try await enqueue(bytes.count, on: handle) { pc in try pc.send(bytes, on: handle) }
    }

    /// Sends several binary messages in order with one hop onto the event loop: they enter SCTP
    /// together (small ones share packets) and go out in one flush. Suspends afterwards while
    /// `bufferedAmount` is above the high-water mark, like ``send(_:on:)``. If a message is
    /// refused (the channel closed), the ones before it were sent and the error is thrown.
    public func send(batch messages: [[UInt8]], on handle: DataChannelHandle) async throws {
        guard !messages.isEmpty else { return }
        try await enqueue(messages.reduce(0) { $0 + $1.count }, on: handle) { pc in
            for m in messages { try pc.send(m, on: handle) }
        }
    }

    /// Runs `queue` on the event loop (timers handled first) and sends what it queued. Below the
    /// high-water mark (as the ``SendLedger`` last saw the channel, plus what is posted and not
    /// yet queued) this returns at once, without waiting for the loop: the loop runs posted
    /// sends in order, and an error one meets is thrown by the next send on the channel.
    /// Otherwise it waits for the loop, and then while the channel's `bufferedAmount` is above
    /// its high-water mark; an error `queue` throws is thrown here, after what it queued before
    /// failing has gone out. Either way a send leaves at most the mark plus its own `bytes`
    /// buffered.
    func enqueue(_ bytes: Int, on handle: DataChannelHandle, _ queue: @escaping @Sendable (PeerConnection) throws -> Void) async throws {
        let core = self.core
        let loop = eventLoop
        let ledger = self.ledger
        if try ledger.reserve(bytes, on: handle) {
            loop.execute {
                let c = core.value
                let failure = c.runQueued(queue)
                ledger.settle(bytes, buffered: c.pc.bufferedAmount(handle), failure: failure, on: handle)
            }
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            loop.execute {
                let c = core.value
                let failure = c.runQueued(queue)
                let buffered = c.pc.bufferedAmount(handle)
                ledger.update(buffered: buffered, on: handle)
                if let failure { return continuation.resume(throwing: failure) }
                if buffered > c.highWaterMark(handle) {
                    c.waiters[handle, default: []].append(continuation)
                } else {
                    continuation.resume()
                }
            }
        }
    }

    /// Sends a text message (no backpressure wait).
    public func send(text: String, on handle: DataChannelHandle) async throws {
        try await withConnection { try $0.send(text: text, on: handle) }
    }

    /// The channel's current `bufferedAmount`.
    public func bufferedAmount(_ handle: DataChannelHandle) async throws -> Int {
        try await withConnection { $0.bufferedAmount(handle) }
    }

    /// W3C `RTCDataChannel.close()`.
    public func closeDataChannel(_ handle: DataChannelHandle) async throws {
        let core = self.core
        try await eventLoop.submit { core.value.stopReceiveFlowControl(handle) }.get()
        try await withConnection { $0.closeDataChannel(handle) }
    }

    /// W3C `close()`: closes the connection and the sockets; ends ``events``.
    public func close() async {
        let core = self.core
        try? await eventLoop.submit { core.value.shutdown() }.get()
    }
}
