import Synchronization

/// A bounded FIFO of messages between two tasks: `push` suspends while it holds `capacity`
/// messages (backpressure), `next` suspends while it is empty; both end when it is closed.
///
/// The consumer takes everything waiting (up to a byte bound) in one call, so a burst of
/// small frames crosses to the folder with one wake-up instead of one per frame; a push that
/// finds room takes a lock and returns without suspending.
final class MessageQueue: Sendable {
    private struct State {
        var frames = FrameFIFO()
        var closed = false
        var waitingPop: CheckedContinuation<Void, Never>?
        var waitingPush: [CheckedContinuation<Void, Never>] = []
        var count: Int { frames.count }
    }

    private enum PushOutcome {
        case queued(wake: CheckedContinuation<Void, Never>?)
        case full
        case closed
    }

    private let state = Mutex(State())
    /// Most messages held; `push` waits beyond it.
    let capacity: Int
    /// The byte bound links use for a received batch (it always holds one frame): a folder
    /// handles a whole batch before it sends what the batch caused, so batches stay small next
    /// to the bytes in flight.
    static let batchBytes = 256 << 10

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends a message, suspending while full; returns false when the queue is closed.
    func push(_ message: [UInt8]) async -> Bool {
        while true {
            let outcome: PushOutcome = state.withLock { s in
                if s.closed { return .closed }
                guard s.count < capacity else { return .full }
                s.frames.append(message)
                defer { s.waitingPop = nil }
                return .queued(wake: s.waitingPop)
            }
            switch outcome {
            case .closed: return false
            case .queued(let wake):
                wake?.resume()
                return true
            case .full:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let retry = state.withLock { s in
                        if s.closed || s.count < capacity { return true }
                        s.waitingPush.append(c)
                        return false
                    }
                    if retry { c.resume() }
                }
            }
        }
    }

    /// The messages waiting, in order: at least one, and more while they total under
    /// `limitBytes`. Suspends while empty; nil once closed and drained. One caller at a time.
    func next(limitBytes: Int) async -> [[UInt8]]? {
        while true {
            let (batch, wake, ended): ([[UInt8]], [CheckedContinuation<Void, Never>], Bool) = state.withLock { s in
                guard let batch = s.frames.take(limitBytes: limitBytes) else { return ([], [], s.closed) }
                // Room was made: every waiting pusher tries again (they are few: one forwarder).
                defer { s.waitingPush.removeAll() }
                return (batch, s.waitingPush, false)
            }
            for w in wake { w.resume() }
            if !batch.isEmpty { return batch }
            if ended { return nil }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let retry = state.withLock { s in
                    if s.closed || s.count > 0 { return true }
                    s.waitingPop = c
                    return false
                }
                if retry { c.resume() }
            }
        }
    }

    /// The next message, or nil once closed and drained.
    func pop() async -> [UInt8]? {
        await next(limitBytes: 0)?.first
    }

    /// Closes the queue: pending and future pushes fail, pops drain what is left then return nil.
    func close() {
        let (pop, pushes) = state.withLock { s in
            s.closed = true
            defer { s.waitingPop = nil; s.waitingPush.removeAll() }
            return (s.waitingPop, s.waitingPush)
        }
        pop?.resume()
        for w in pushes { w.resume() }
    }
}
