import Dispatch

/// A task executor with a serial dispatch queue (so a thread) of its own, outside Swift's
/// cooperative pool.
///
/// The interop tests drive a PeerConnection on the wall clock with a blocking poll loop for
/// seconds. Run on the cooperative pool (two threads on a 2-core machine), such a loop starves
/// every other test running in parallel; run here it keeps its real-time pacing and leaves the
/// pool free. Being a task executor, not a bare thread, the loop stays inside its test's task,
/// so `#expect` and `#require` in it are recorded against the test as usual.
final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private let queue: DispatchQueue

    /// An executor on a new serial queue named `label`.
    init(label: String) { queue = DispatchQueue(label: label) }

    /// Traps unless called on this executor's queue (the loop really left the pool).
    func preconditionOnQueue() { dispatchPrecondition(condition: .onQueue(queue)) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The one executor of every real-time interop loop: they run one at a time (each peer process,
/// aiortc in Python or Chromium, needs most of a core to keep real time on a 2-core machine),
/// the next one's task waiting suspended, holding no thread.
let realTimeLoops = DedicatedThreadExecutor(label: "peersync.media-interop.real-time")

/// Runs the blocking, real-time `body` on the thread of ``realTimeLoops`` and waits for it
/// without occupying a thread of the cooperative pool.
func onOwnThread<T>(_ body: () throws -> T) async throws -> T {
    let executor = realTimeLoops
    return try await withTaskExecutorPreference(executor) {
        executor.preconditionOnQueue()
        return try body()
    }
}
