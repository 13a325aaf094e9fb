import Synchronization

/// The frames a folder has queued for one peer, taken by that peer's sender task in batches.
///
/// The folder's actor yields frames without waiting (its own accounting of unsent bytes bounds
/// what is queued); the sender takes everything that is waiting, up to about ``batchBytes``,
/// in one call, so a burst of small frames (chunk requests, small files' responses) crosses
/// to the transport with one hop and one flush instead of one per frame.
///
/// It also counts the bytes queued and not yet handed to the link (``unsentBytes``), which the
/// folder reads when it needs them: the sender reports what it handed over here instead of
/// hopping into the folder's actor after every batch (a wait behind the actor's work on the
/// path of every request and response). It hops only when the count falls below
/// ``wakeBelow`` from at or above it, so a folder that stopped paging its index goes on.
final class Outbox: Sendable {
    private struct State {
        var frames = FrameFIFO()
        var finished = false
        var waiter: CheckedContinuation<[[UInt8]]?, Never>?
        var unsent = 0
    }

    private let state = Mutex(State())
    /// A batch stops growing once it holds this many bytes (it always holds at least one frame).
    let batchBytes: Int
    /// ``sent(_:)`` returns true when the unsent bytes fall below this from at or above it.
    let wakeBelow: Int

    init(batchBytes: Int = 256 << 10, wakeBelow: Int = .max) {
        self.batchBytes = max(1, batchBytes)
        self.wakeBelow = wakeBelow
    }

    /// Bytes queued (``yield(_:)``) and not yet reported handed to the link (``sent(_:)``).
    var unsentBytes: Int { state.withLock { $0.unsent } }

    /// The sender handed `bytes` of taken frames to the link. True when that took
    /// ``unsentBytes`` from at or above ``wakeBelow`` to below it.
    func sent(_ bytes: Int) -> Bool {
        state.withLock { s in
            let before = s.unsent
            s.unsent = max(0, before - bytes)
            return before >= wakeBelow && s.unsent < wakeBelow
        }
    }

    /// Queues a frame (dropped once finished).
    func yield(_ frame: [UInt8]) { yield([frame]) }

    /// Queues frames in order (dropped once finished). A waiting sender is handed everything
    /// that waits (up to ``batchBytes``), so what one drain of the engine produced crosses to
    /// the transport together.
    func yield(_ frames: [[UInt8]]) {
        guard !frames.isEmpty else { return }
        let (waiter, batch): (CheckedContinuation<[[UInt8]]?, Never>?, [[UInt8]]?) = state.withLock { s in
            guard !s.finished else { return (nil, nil) }
            for f in frames {
                s.frames.append(f)
                s.unsent += f.count
            }
            guard let w = s.waiter else { return (nil, nil) }
            s.waiter = nil
            return (w, s.frames.take(limitBytes: batchBytes))
        }
        waiter?.resume(returning: batch)
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
                if let batch = s.frames.take(limitBytes: batchBytes) { return .some(batch) }
                if s.finished { return .some(nil) }
                s.waiter = c
                return .none
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    private func take() -> [[UInt8]]? {
        state.withLock { s in s.frames.take(limitBytes: batchBytes) }
    }
}
