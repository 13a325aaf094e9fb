import Synchronization

/// The frames a folder has queued for one peer, taken by that peer's sender task in batches.
///
/// The folder's actor yields frames without waiting (its own accounting of unsent bytes bounds
/// what is queued); the sender takes everything that is waiting, up to about ``batchBytes``,
/// in one call, so a burst of small frames (chunk requests, small files' responses) crosses
/// to the transport with one hop and one flush instead of one per frame.
final class Outbox: Sendable {
    private struct State {
        var items: [[UInt8]] = []
        var head = 0
        var finished = false
        var waiter: CheckedContinuation<[[UInt8]]?, Never>?
    }

    private let state = Mutex(State())
    /// A batch stops growing once it holds this many bytes (it always holds at least one frame).
    let batchBytes: Int

    init(batchBytes: Int = 256 << 10) { self.batchBytes = max(1, batchBytes) }

    /// Queues a frame (dropped once finished).
    func yield(_ frame: [UInt8]) {
        let waiter: CheckedContinuation<[[UInt8]]?, Never>? = state.withLock { s in
            guard !s.finished else { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.items.append(frame)
            return nil
        }
        waiter?.resume(returning: [frame])
    }

    /// No more frames: the sender gets what is queued, then nil.
    func finish() {
        let waiter: CheckedContinuation<[[UInt8]]?, Never>? = state.withLock { s in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The frames waiting, in order (at least one, about ``batchBytes`` at most), suspending
    /// while there are none; nil once finished and drained. One caller at a time.
    func next() async -> [[UInt8]]? {
        if let batch = take() { return batch }
        return await withCheckedContinuation { (c: CheckedContinuation<[[UInt8]]?, Never>) in
            let ready: [[UInt8]]?? = state.withLock { s in
                if let batch = Self.take(&s, limit: batchBytes) { return .some(batch) }
                if s.finished { return .some(nil) }
                s.waiter = c
                return .none
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    private func take() -> [[UInt8]]? {
        state.withLock { s in Self.take(&s, limit: batchBytes) }
    }

    private static func take(_ s: inout State, limit: Int) -> [[UInt8]]? {
        guard s.head < s.items.count else { return nil }
        var batch: [[UInt8]] = []
        var bytes = 0
        while s.head < s.items.count && (batch.isEmpty || bytes < limit) {
            let frame = s.items[s.head]
            bytes += frame.count
            batch.append(frame)
            s.head += 1
        }
        if s.head == s.items.count {
            s.items.removeAll(keepingCapacity: true)
            s.head = 0
        } else if s.head > 64 && s.head * 2 > s.items.count {
            s.items.removeFirst(s.head)
            s.head = 0
        }
        return batch
    }
}
