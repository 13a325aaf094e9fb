import SyncEngine

/// One end of an in-process link between two daemons (both ends in one process): what a
/// data channel gives, minus the network — ordered, reliable and backpressured (a sender
/// suspends while the peer has `capacity` unread messages).
public final class PipePeerLink: BatchReceivingPeerLink {
    /// The device ID of the other end.
    public let peerDeviceID: String
    /// Messages from the other end.
    public let incoming: AsyncStream<[UInt8]>
    /// Messages from the other end, all that wait at once (up to ``MessageQueue/batchBytes``).
    let incomingBatches: AsyncStream<[[UInt8]]>
    private let inbound: MessageQueue
    private let outbound: MessageQueue

    init(peerDeviceID: String, inbound: MessageQueue, outbound: MessageQueue) {
        self.peerDeviceID = peerDeviceID
        self.inbound = inbound
        self.outbound = outbound
        incoming = AsyncStream(unfolding: { await inbound.pop() })
        incomingBatches = AsyncStream(unfolding: { await inbound.next(limitBytes: MessageQueue.batchBytes) })
    }

    /// A connected pair: the first end talks to `b` (its peer is `b`), the second to `a`.
    public static func pair(a: String, b: String, capacity: Int = 64) -> (PipePeerLink, PipePeerLink) {
        let ab = MessageQueue(capacity: capacity)
        let ba = MessageQueue(capacity: capacity)
        return (PipePeerLink(peerDeviceID: b, inbound: ba, outbound: ab), PipePeerLink(peerDeviceID: a, inbound: ab, outbound: ba))
    }

    /// Sends one message, suspending while the other end is behind.
    public func send(_ message: [UInt8]) async throws {
        guard await outbound.push(message) else { throw DaemonError.conflict("link to \(peerDeviceID) is closed", hint: nil) }
    }

    /// Closes both directions.
    public func close() async {
        outbound.close()
        inbound.close()
    }
}
