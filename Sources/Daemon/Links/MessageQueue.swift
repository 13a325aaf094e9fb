/// A bounded FIFO of messages between two tasks: `push` suspends while it holds `capacity`
/// messages (backpressure), `pop` suspends while it is empty; both end when it is closed.
actor MessageQueue {
    private var items: [[UInt8]] = []
    private var head = 0
    private var closed = false
    private var waitingPop: CheckedContinuation<[UInt8]?, Never>?
    private var waitingPush: [CheckedContinuation<Void, Never>] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends a message, suspending while full; returns false when the queue is closed.
    func push(_ message: [UInt8]) async -> Bool {
        while !closed && items.count - head >= capacity {
            await withCheckedContinuation { waitingPush.append($0) }
        }
        guard !closed else { return false }
        if let w = waitingPop {
            waitingPop = nil
            w.resume(returning: message)
        } else {
            items.append(message)
        }
        return true
    }

    /// The next message, or nil once closed and drained.
    func pop() async -> [UInt8]? {
        if head < items.count {
            let m = items[head]
            head += 1
            if head > 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
            if !waitingPush.isEmpty { waitingPush.removeFirst().resume() }
            return m
        }
        if closed { return nil }
        return await withCheckedContinuation { waitingPop = $0 }
    }

    /// Closes the queue: pending and future pushes fail, pops drain what is left then return nil.
    func close() {
        closed = true
        waitingPop?.resume(returning: nil)
        waitingPop = nil
        for w in waitingPush { w.resume() }
        waitingPush.removeAll()
    }
}
