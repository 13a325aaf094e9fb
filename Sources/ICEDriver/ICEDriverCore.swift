import ICE
import NIOCore
import WireKit

/// The event-loop-confined half of ``ICEDriver``: owns the agent, the sockets and the one timer.
/// Every method runs on `loop`.
final class ICEDriverCore {
    let agent: ICEAgent
    let loop: any EventLoop
    var channels: [TransportAddress: any Channel] = [:]
    private var timer: Scheduled<Void>?
    private var timerDeadline: Instant?
    private let continuation: AsyncStream<ICEEvent>.Continuation
    /// Bounds the datagrams a slow consumer of the events can pile up.
    private let backlog: ICEEventBacklog
    private var pendingInput = false

    init(agent: ICEAgent, loop: any EventLoop, continuation: AsyncStream<ICEEvent>.Continuation, backlog: ICEEventBacklog) {
        self.agent = agent
        self.loop = loop
        self.continuation = continuation
        self.backlog = backlog
    }

    /// Feeds one datagram; output is flushed at the end of the read burst.
    func receive(_ bytes: [UInt8], source: TransportAddress, destination: TransportAddress) {
        agent.handle(datagram: bytes, source: source, destination: destination, now: .monotonicNow())
        pendingInput = true
    }

    /// After any input: send every transmit, publish every event, re-arm the timer.
    func afterInput() {
        pendingInput = false
        var touched: [ObjectIdentifier: any Channel] = [:]
        while let t = agent.pollTransmit() {
            guard let channel = channels[t.source], let remote = try? t.destination.socketAddress() else { continue }
            var buffer = channel.allocator.buffer(capacity: t.payload.count)
            buffer.writeBytes(t.payload)
            channel.write(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
            touched[ObjectIdentifier(channel)] = channel
        }
        for channel in touched.values { channel.flush() }
        while let event = agent.pollEvent() { continuation.yield(event, within: backlog) }
        rearm()
    }

    private func rearm() {
        guard let deadline = agent.pollTimeout() else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            if agent.connectionState == .closed { continuation.finish() }
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
            core.agent.handle(timeout: .monotonicNow())
            core.afterInput()
        }
    }

    /// Closes the agent and the sockets.
    func shutdown() {
        agent.close()
        afterInput()
        for channel in channels.values { channel.close(promise: nil) }
        channels.removeAll()
        continuation.finish()
    }
}
