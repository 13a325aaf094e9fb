/// How rendezvous nodes share presence, signals and rooms. The embedded default is no bus at
/// all (one node); `InMemoryBus` joins nodes inside one process (tests, embedding), and
/// `PostgresBus` joins nodes on several machines through PostgreSQL LISTEN/NOTIFY.
public protocol RendezvousBus: Sendable {
    /// Sends `message` to every node (the sender may receive its own broadcast back).
    func publish(_ message: BusMessage) async throws
    /// Everything published on the bus from now on, until `run` is cancelled. Called once.
    func subscribe() async throws -> AsyncStream<BusMessage>
}

/// A bus inside one process: every subscriber receives every published message, in order.
public actor InMemoryBus: RendezvousBus {
    private var subscribers: [AsyncStream<BusMessage>.Continuation] = []

    /// An empty bus.
    public init() {}

    public func publish(_ message: BusMessage) {
        for subscriber in subscribers { subscriber.yield(message) }
    }

    public func subscribe() -> AsyncStream<BusMessage> {
        let (stream, continuation) = AsyncStream<BusMessage>.makeStream()
        subscribers.append(continuation)
        return stream
    }
}
