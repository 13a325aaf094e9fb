import ControlAPI
import Foundation

/// Fans daemon events out to event-stream subscribers (`GET /events`). Each subscriber keeps at
/// most the newest 1000 events: a slow reader loses old events, the daemon never blocks on it.
public final class EventBus: Sendable {
    private let state = Mutex()

    /// An empty bus.
    public init() {}

    /// A new subscription; it ends when the returned stream is dropped or the bus finishes.
    public func subscribe() -> AsyncStream<ControlEvent> {
        let (stream, continuation) = AsyncStream<ControlEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let id = state.add(continuation)
        continuation.onTermination = { [weak self] _ in self?.state.remove(id) }
        return stream
    }

    /// Sends `event` to every subscriber.
    public func publish(_ event: ControlEvent) {
        for c in state.all() { c.yield(event) }
    }

    /// Ends every subscription (shutdown).
    public func finish() {
        for c in state.all() { c.finish() }
    }

    /// The subscriber table behind a lock (the bus is used from many isolation domains).
    private final class Mutex: @unchecked Sendable {
        // @unchecked: every access to `subscribers` and `next` holds `lock`.
        private let lock = NSLock()
        private var subscribers: [Int: AsyncStream<ControlEvent>.Continuation] = [:]
        private var next = 0

        func add(_ c: AsyncStream<ControlEvent>.Continuation) -> Int {
            lock.lock(); defer { lock.unlock() }
            next += 1
            subscribers[next] = c
            return next
        }

        func remove(_ id: Int) { lock.lock(); subscribers[id] = nil; lock.unlock() }

        func all() -> [AsyncStream<ControlEvent>.Continuation] {
            lock.lock(); defer { lock.unlock() }
            return Array(subscribers.values)
        }
    }
}
