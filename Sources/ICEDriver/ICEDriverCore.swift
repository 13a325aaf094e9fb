import ICE
import NIOCore
import WireKit

/// The event-loop-confined half of ``ICEDriver``: owns the agent, the sockets (through its
/// ``DatagramWriter``) and the one ``CoreTimer``. Every method runs on `loop`.
final class ICEDriverCore: DatagramSink {
    let agent: ICEAgent
    let loop: any EventLoop
    let writer: DatagramWriter
    private var timer: CoreTimer?
    private let continuation: AsyncStream<ICEEvent>.Continuation
    /// Bounds the datagrams a slow consumer of the events can pile up.
    private let backlog: ICEEventBacklog

    init(agent: ICEAgent, loop: any EventLoop, continuation: AsyncStream<ICEEvent>.Continuation, backlog: ICEEventBacklog) {
        self.agent = agent
        self.loop = loop
        self.continuation = continuation
        self.backlog = backlog
        self.writer = DatagramWriter(loop: loop)
        let bound = NIOLoopBound(self, eventLoop: loop)
        self.timer = CoreTimer(loop: loop) {
            let core = bound.value
            core.agent.handle(timeout: .monotonicNow())
            core.afterInput()
        }
    }

    /// Feeds one datagram; output is flushed at the end of the read burst.
    func receive(_ bytes: UnsafeRawBufferPointer, source: TransportAddress, destination: TransportAddress) {
        agent.handle(datagram: Array(bytes), source: source, destination: destination, now: .monotonicNow())
    }

    /// The end of a read burst: flush what it produced.
    func readComplete() { afterInput() }

    /// After any input: send every transmit, publish every event, re-arm the timer.
    func afterInput() {
        while let t = agent.pollTransmit() { writer.write(t) }
        writer.flush()
        while let event = agent.pollEvent() { continuation.yield(event, within: backlog) }
        let deadline = agent.pollTimeout()
        timer?.arm(deadline)
        if deadline == nil, agent.connectionState == .closed { continuation.finish() }
    }

    /// Closes the agent and the sockets.
    func shutdown() {
        agent.close()
        afterInput()
        timer?.cancel()
        for channel in writer.channels.values { channel.close(promise: nil) }
        writer.channels.removeAll()
        continuation.finish()
    }
}
