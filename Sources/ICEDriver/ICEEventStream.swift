import ICE
import Synchronization

/// The driver's events as an `AsyncSequence`, with a bound on what a slow consumer can pile up.
///
/// Control events (candidates, state and selected-pair changes, role changes, server errors) are
/// few by nature and always delivered. Application datagrams (``ICEEvent/data(_:)``) and debug
/// messages are counted from the moment they are queued until the consumer takes them; when
/// ``ICEEventStream/backlogLimit`` of them are waiting, further ones are dropped (and counted in
/// ``ICEEventStream/droppedEvents``), as a full socket buffer drops UDP datagrams. Memory stays
/// bounded however slowly the consumer reads.
public struct ICEEventStream: AsyncSequence, Sendable {
    /// Events of the agent.
    public typealias Element = ICEEvent

    let stream: AsyncStream<ICEEvent>
    let backlog: ICEEventBacklog

    /// How many droppable events (datagrams, debug messages) may wait for the consumer.
    public var backlogLimit: Int { backlog.limit }

    /// How many droppable events were dropped because the consumer lagged.
    public var droppedEvents: Int { backlog.dropped }

    /// Iterates the events; each datagram taken frees one place in the backlog.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<ICEEvent>.AsyncIterator
        let backlog: ICEEventBacklog

        /// The next event, or nil once the driver is closed.
        public mutating func next() async -> ICEEvent? {
            let event = await base.next()
            if let event, ICEEventBacklog.isDroppable(event) { backlog.consumed() }
            return event
        }
    }

    /// Starts iterating (one consumer).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), backlog: backlog)
    }
}

/// The count of droppable events queued but not yet consumed, shared by the driver's event loop
/// (which queues) and the consumer's task (which takes).
final class ICEEventBacklog: Sendable {
    let limit: Int
    private let state = Mutex((queued: 0, dropped: 0))

    init(limit: Int) { self.limit = limit }

    /// Events the driver may drop under backpressure.
    static func isDroppable(_ event: ICEEvent) -> Bool {
        switch event {
        case .data, .debug: return true
        default: return false
        }
    }

    /// Takes a place for one droppable event; false (and counted as dropped) when full.
    func reserve() -> Bool {
        state.withLock { s in
            guard s.queued < limit else { s.dropped += 1; return false }
            s.queued += 1
            return true
        }
    }

    /// The consumer took a droppable event.
    func consumed() { state.withLock { $0.queued = max(0, $0.queued - 1) } }

    /// Droppable events dropped so far.
    var dropped: Int { state.withLock { $0.dropped } }
}

extension AsyncStream.Continuation where Element == ICEEvent {
    /// Yields `event` unless it is droppable and `backlog` is full.
    func yield(_ event: ICEEvent, within backlog: ICEEventBacklog) {
        if ICEEventBacklog.isDroppable(event), !backlog.reserve() { return }
        yield(event)
    }
}
