import NIOCore
import Synchronization

/// One per event loop: what the loop's connections are sent from other loops, and their
/// flushes.
///
/// Frames from another loop are queued here and handed over in batches: the first frame of a
/// batch schedules one `execute` (one wake-up of a sleeping loop), the frames that follow
/// before it runs ride along. Handing each frame over by its own `execute` cost about as much
/// CPU as the rest of the relay. Likewise, the connections written to during a tick are
/// flushed by one task at its end (one `writev` each), not one task per connection.
final class LoopOutbox: Sendable {
    /// A frame for one of this loop's connections.
    typealias Item = (handler: NIOLoopBound<RelayConnectionHandler>, frame: OutboundFrame)

    /// The loop this outbox serves.
    let eventLoop: any EventLoop
    private let inbox = Mutex<[Item]>([])
    private let flushes: NIOLoopBoundBox<FlushState>

    /// Handlers written to since the last flush task (touched only on the loop).
    private struct FlushState {
        var dirty: [RelayConnectionHandler] = []
        var scheduled = false
    }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.flushes = NIOLoopBoundBox(FlushState(), eventLoop: eventLoop)
    }

    /// Queues `frame` for `handler` from another thread; delivered in order, in a batch.
    func post(_ frame: OutboundFrame, to handler: NIOLoopBound<RelayConnectionHandler>) {
        let first = inbox.withLock { items in
            items.append((handler, frame))
            return items.count == 1
        }
        guard first else { return }
        eventLoop.execute { self.deliverPosted() }
    }

    private func deliverPosted() {
        var batch: [Item] = []
        inbox.withLock { swap(&batch, &$0) }
        for item in batch { item.handler.value.deliver(item.frame) }
    }

    /// Flushes `handler` at the end of this tick (on the loop; once per tick per handler: the
    /// handler keeps track).
    func scheduleFlush(_ handler: RelayConnectionHandler) {
        flushes.value.dirty.append(handler)
        guard !flushes.value.scheduled else { return }
        flushes.value.scheduled = true
        eventLoop.assumeIsolated().execute { self.flushAll() }
    }

    private func flushAll() {
        var dirty: [RelayConnectionHandler] = []
        swap(&dirty, &flushes.value.dirty)
        flushes.value.scheduled = false
        for handler in dirty { handler.flushNow() }
        // Keep the array's storage for the next tick when nothing was added meanwhile.
        dirty.removeAll(keepingCapacity: true)
        if flushes.value.dirty.isEmpty { swap(&dirty, &flushes.value.dirty) }
    }
}

/// The `LoopOutbox` of every event loop, made on first use.
final class LoopOutboxes: Sendable {
    private let outboxes = Mutex<[ObjectIdentifier: LoopOutbox]>([:])

    /// The outbox of `eventLoop`.
    func outbox(for eventLoop: any EventLoop) -> LoopOutbox {
        outboxes.withLock { outboxes in
            let key = ObjectIdentifier(eventLoop)
            if let outbox = outboxes[key] { return outbox }
            let outbox = LoopOutbox(eventLoop: eventLoop)
            outboxes[key] = outbox
            return outbox
        }
    }
}
