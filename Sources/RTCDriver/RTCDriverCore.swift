import DataChannel
import ICEDriver
import NIOCore
import PeerConnection
import WireKit

/// The event-loop-confined half of ``RTCDriver``: owns the connection, the sockets (through
/// its ``DatagramWriter``: batched, GSO where the kernel has it), the one ``CoreTimer``, the per-channel message streams (``MessageSinks``) and the senders waiting for `bufferedamountlow`.
/// Every method runs on `loop`.
final class RTCDriverCore: DatagramSink {
    let pc: PeerConnection
    let loop: any EventLoop
    let writer: DatagramWriter
    let events: AsyncStream<PeerConnectionEvent>.Continuation
    var sinks = MessageSinks()
    var waiters: [DataChannelHandle: [CheckedContinuation<Void, any Error>]] = [:]
    /// The senders' view of each channel's send buffer, refreshed on `bufferedamountlow`; it
    /// also holds each channel's high-water mark (``highWaterMark(_:)``).
    let ledger: SendLedger
    /// Receive flow control (opt-in per channel): bytes handed to a channel's message stream
    /// and not yet reported consumed, and the backlog above which receiving pauses.
    var receiveBacklog: [DataChannelHandle: Int] = [:]
    var receiveLimits: [DataChannelHandle: Int] = [:]
    private var timer: CoreTimer?
    /// Received datagrams not yet fed to the connection (all from one source to one socket).
    private var inbound: [[UInt8]] = []
    /// Datagrams of the current batch: those in `inbound` and those already opened in place.
    private var inboundCount = 0
    /// When the current batch's first datagram was read (one clock read per batch).
    private var inboundNow: Instant = .zero
    private var inboundSource: TransportAddress?
    private var inboundDestination: TransportAddress?
    /// At most this many received datagrams are fed to the connection at once.
    static let inputBatch = 64
    private var flushing = false
    private var finished = false

    init(pc: PeerConnection, loop: any EventLoop, events: AsyncStream<PeerConnectionEvent>.Continuation,
         ledger: SendLedger, segmentationOffload: Bool) {
        self.ledger = ledger
        self.pc = pc
        self.loop = loop
        self.events = events
        self.writer = DatagramWriter(loop: loop, segmentationOffload: segmentationOffload)
        pc.sealsDirectly = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        self.timer = CoreTimer(loop: loop) {
            let core = bound.value
            core.pc.handle(timeout: .monotonicNow())
            core.afterInput()
        }
    }

    /// Takes one received datagram. Application data of the established connection is opened
    /// straight from the receive buffer (``PeerConnection/handle(applicationData:source:destination:now:)``)
    /// unless other datagrams wait before it; anything else is copied and queued. Queued
    /// datagrams go into the connection together (see
    /// ``PeerConnection/handle(datagrams:source:destination:now:)``), and the layers above DTLS
    /// run, at the end of the read burst, when the source changes, or every ``inputBatch``
    /// datagrams.
    func receive(_ bytes: UnsafeRawBufferPointer, source: TransportAddress, destination: TransportAddress) {
        if inboundCount > 0, source != inboundSource || destination != inboundDestination { feedInbound() }
        if inboundCount == 0 { inboundNow = .monotonicNow() }
        inboundSource = source
        inboundDestination = destination
        if inbound.isEmpty, pc.handle(applicationData: bytes, source: source, destination: destination, now: inboundNow) {
            inboundCount += 1
        } else {
            inbound.append(Array(bytes))
            inboundCount += 1
        }
        if inboundCount >= Self.inputBatch {
            feedInbound()
            afterInput()
        }
    }

    /// The read burst ended: feed what is queued, then send, publish and re-arm.
    func readComplete() {
        feedInbound()
        afterInput()
    }

    private func feedInbound() {
        guard inboundCount > 0, let source = inboundSource, let destination = inboundDestination else { return }
        pc.handle(datagrams: inbound, source: source, destination: destination, now: .monotonicNow())
        inbound.removeAll(keepingCapacity: true)
        inboundCount = 0
    }

    /// After any input: send every transmit, publish every event, re-arm the timer.
    /// Runs a send's `queue` on the connection (timers handled first) and sends what it queued;
    /// the error it met, or ``RTCDriverError/closed`` when the connection is closed (nothing run).
    func runQueued(_ queue: (PeerConnection) throws -> Void) -> (any Error)? {
        guard !pc.isClosed else { return RTCDriverError.closed }
        pc.handle(timeout: .monotonicNow())
        var failure: (any Error)?
        do { try queue(pc) } catch { failure = error }
        afterInput()
        return failure
    }

    func afterInput() {
        guard !flushing else { return }
        flushing = true
        defer { flushing = false }
        var progress = true
        while progress {
            progress = false
            while let t = pc.pollTransmit() {
                progress = true
                writer.write(t)
            }
            // SCTP packets sealed straight into the socket buffers (see pollSealedTransmit).
            let writer = self.writer
            while pc.pollSealedTransmit({ source, destination, length, seal in
                writer.write(source: source, destination: destination, size: length, seal)
            }) {
                progress = true
            }
            while let event = pc.pollEvent() {
                progress = true
                dispatch(event)
            }
        }
        sinks.publish()
        writer.flush()
        rearm()
    }

    /// Routes one event: messages to their channel's stream, everything to `events`.
    private func dispatch(_ event: PeerConnectionEvent) {
        switch event {
        case .message(let h, let m):
            sinks.deliver(m, on: h)
            if receiveLimits[h] != nil {
                receiveBacklog[h, default: 0] += m.data.count
                updateReceivePause()
            }
            return
        case .dataChannel(let h), .open(let h):
            sinks.open(h)
        case .bufferedAmountLow(let h):
            ledger.update(buffered: pc.bufferedAmount(h), on: h)
            resumeWaiters(h)
        case .close(let h):
            stopReceiveFlowControl(h)
            sinks.close(h)
            ledger.fail(h, with: RTCDriverError.channelClosed)
            failWaiters(h, RTCDriverError.channelClosed)
        case .transportClosed:
            ledger.close(with: RTCDriverError.channelClosed)
            sinks.closeAll()
            for h in Array(waiters.keys) { failWaiters(h, RTCDriverError.channelClosed) }
        default:
            break
        }
        events.yield(event)
    }

    /// Hands out the message stream of `handle` (once; a batch stream counts as the take).
    func takeMessages(_ handle: DataChannelHandle) -> AsyncStream<DataChannelMessage> {
        sinks.takeMessages(handle)
    }

    /// Hands out the batch stream of `handle` (once; a message stream counts as the take).
    func takeMessageBatches(_ handle: DataChannelHandle) -> AsyncStream<[DataChannelMessage]> {
        sinks.takeBatches(handle)
    }

    /// `bufferedAmount` above which `send` suspends on `handle`.
    func highWaterMark(_ handle: DataChannelHandle) -> Int { ledger.highWaterMark(on: handle) }

    /// Counts `handle`'s received bytes from now on; receiving pauses while more than `limit`
    /// of them are not reported consumed (``consumed(_:on:)``).
    func startReceiveFlowControl(_ handle: DataChannelHandle, limit: Int) {
        receiveLimits[handle] = max(1, limit)
        receiveBacklog[handle] = 0
    }

    /// Stops counting `handle` (it closed); receiving resumes if it was the one holding it.
    func stopReceiveFlowControl(_ handle: DataChannelHandle) {
        receiveLimits[handle] = nil
        receiveBacklog[handle] = nil
        updateReceivePause()
    }

    /// Finishes `handle`'s message stream now; its later messages are dropped, uncounted.
    func endMessages(_ handle: DataChannelHandle) {
        sinks.end(handle)
        stopReceiveFlowControl(handle)
    }

    /// The application processed `bytes` of `handle`'s messages.
    func consumed(_ bytes: Int, on handle: DataChannelHandle) {
        guard let backlog = receiveBacklog[handle] else { return }
        receiveBacklog[handle] = max(0, backlog - bytes)
        let wasPaused = pc.isReceivePaused
        updateReceivePause()
        if wasPaused && !pc.isReceivePaused { afterInput() }
    }

    private func updateReceivePause() {
        pc.isReceivePaused = receiveBacklog.contains { h, n in n > (receiveLimits[h] ?? .max) }
    }

    func resumeWaiters(_ handle: DataChannelHandle) {
        guard let list = waiters[handle], pc.bufferedAmount(handle) <= highWaterMark(handle) else { return }
        waiters[handle] = nil
        for w in list { w.resume() }
    }

    func failWaiters(_ handle: DataChannelHandle, _ error: any Error) {
        guard let list = waiters.removeValue(forKey: handle) else { return }
        for w in list { w.resume(throwing: error) }
    }

    private func rearm() {
        let deadline = pc.pollTimeout()
        timer?.arm(deadline)
        if deadline == nil, pc.isClosed { finish() }
    }

    /// Closes the connection (flushing its last datagrams) and the sockets.
    func shutdown() {
        pc.close()
        afterInput()
        finish()
        for channel in writer.channels.values { channel.close(promise: nil) }
        writer.channels.removeAll()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        ledger.close(with: RTCDriverError.closed)
        timer?.cancel()
        timer = nil
        sinks.closeAll()
        for h in Array(waiters.keys) { failWaiters(h, RTCDriverError.closed) }
        events.finish()
    }
}
