import DataChannel
import NIOCore
import PeerConnection
import WireKit

/// The event-loop-confined half of ``RTCDriver``: owns the connection, the sockets, the one
/// timer, the per-channel message streams and the senders waiting for `bufferedamountlow`.
/// Every method runs on `loop`.
final class RTCDriverCore {
    let pc: PeerConnection
    let loop: any EventLoop
    var channels: [TransportAddress: any Channel] = [:]
    let events: AsyncStream<PeerConnectionEvent>.Continuation
    var messageStreams: [DataChannelHandle: AsyncStream<DataChannelMessage>.Continuation] = [:]
    var pendingMessageStreams: [DataChannelHandle: AsyncStream<DataChannelMessage>] = [:]
    var waiters: [DataChannelHandle: [CheckedContinuation<Void, any Error>]] = [:]
    /// `bufferedAmount` above which `send` suspends, per channel.
    var highWaterMarks: [DataChannelHandle: Int] = [:]
    var defaultHighWaterMark: Int
    private var timer: Scheduled<Void>?
    private var timerDeadline: Instant?
    private var flushing = false
    private var finished = false

    init(pc: PeerConnection, loop: any EventLoop, events: AsyncStream<PeerConnectionEvent>.Continuation, highWaterMark: Int) {
        self.pc = pc
        self.loop = loop
        self.events = events
        self.defaultHighWaterMark = highWaterMark
    }

    /// Feeds one datagram; output is flushed at the end of the read burst.
    func receive(_ bytes: [UInt8], source: TransportAddress, destination: TransportAddress) {
        pc.handle(datagram: bytes, source: source, destination: destination, now: .monotonicNow())
    }

    /// After any input: send every transmit, publish every event, re-arm the timer.
    func afterInput() {
        guard !flushing else { return }
        flushing = true
        defer { flushing = false }
        var touched: [ObjectIdentifier: any Channel] = [:]
        var progress = true
        while progress {
            progress = false
            while let t = pc.pollTransmit() {
                progress = true
                guard let channel = channels[t.source], let remote = try? t.destination.socketAddress() else { continue }
                var buffer = channel.allocator.buffer(capacity: t.payload.count)
                buffer.writeBytes(t.payload)
                channel.write(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
                touched[ObjectIdentifier(channel)] = channel
            }
            while let event = pc.pollEvent() {
                progress = true
                dispatch(event)
            }
        }
        for channel in touched.values { channel.flush() }
        rearm()
    }

    /// Routes one event: messages to their channel's stream, everything to `events`.
    private func dispatch(_ event: PeerConnectionEvent) {
        switch event {
        case .message(let h, let m):
            messageContinuation(h).yield(m)
            return
        case .dataChannel(let h), .open(let h):
            _ = messageContinuation(h)
        case .bufferedAmountLow(let h):
            resumeWaiters(h)
        case .close(let h):
            messageStreams.removeValue(forKey: h)?.finish()
            failWaiters(h, RTCDriverError.channelClosed)
        case .transportClosed:
            for (h, c) in messageStreams { c.finish(); failWaiters(h, RTCDriverError.channelClosed) }
            messageStreams.removeAll()
        default:
            break
        }
        events.yield(event)
    }

    /// The message stream continuation of `handle`, created on first use.
    func messageContinuation(_ handle: DataChannelHandle) -> AsyncStream<DataChannelMessage>.Continuation {
        if let c = messageStreams[handle] { return c }
        let (stream, continuation) = AsyncStream<DataChannelMessage>.makeStream(bufferingPolicy: .unbounded)
        messageStreams[handle] = continuation
        pendingMessageStreams[handle] = stream
        return continuation
    }

    /// Hands out the message stream of `handle` (once).
    func takeMessages(_ handle: DataChannelHandle) -> AsyncStream<DataChannelMessage> {
        _ = messageContinuation(handle)
        if let s = pendingMessageStreams.removeValue(forKey: handle) { return s }
        return AsyncStream { $0.finish() }
    }

    func highWaterMark(_ handle: DataChannelHandle) -> Int { highWaterMarks[handle] ?? defaultHighWaterMark }

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
        guard let deadline = pc.pollTimeout() else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            if pc.isClosed { finish() }
            return
        }
        if deadline == timerDeadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let delay = max(0, (deadline - Instant.monotonicNow()).nanosecondsClamped)
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(in: .nanoseconds(delay)) {
            let core = bound.value
            core.timer = nil
            core.timerDeadline = nil
            core.pc.handle(timeout: .monotonicNow())
            core.afterInput()
        }
    }

    /// Closes the connection (flushing its last datagrams) and the sockets.
    func shutdown() {
        pc.close()
        afterInput()
        finish()
        for channel in channels.values { channel.close(promise: nil) }
        channels.removeAll()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        for (h, c) in messageStreams { c.finish(); failWaiters(h, RTCDriverError.closed) }
        for h in Array(waiters.keys) { failWaiters(h, RTCDriverError.closed) }
        messageStreams.removeAll()
        events.finish()
    }
}
