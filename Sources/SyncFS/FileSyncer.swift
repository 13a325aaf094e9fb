#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// One file a ``FileSyncer`` was asked to make durable, and how that went.
public struct FileSyncResult: Sendable, Equatable {
    /// The file's path, as submitted.
    public var path: String
    /// Why the fsync failed, or nil when the file is durable.
    public var error: FileSystemError?

    /// A result for `path`.
    public init(path: String, error: FileSystemError?) { self.path = path; self.error = error }
}

/// Where a folder engine sends finished temp files to be fsynced, so that the flush (milliseconds
/// per file on a real disk) overlaps with pulling the next files instead of stalling them.
///
/// The engine submits a closed temp file, keeps pulling, and later collects the results with
/// ``takeFinished()``; only then does it rename the file into place and commit the index, so
/// the crash-safety order (data durable, then rename, then directory durable, then index) holds.
public protocol FileSyncer: AnyObject {
    /// Starts making `path` durable.
    func submit(_ path: String)
    /// The files whose fsync finished since the last call, in any order.
    func takeFinished() -> [FileSyncResult]
}

/// A ``FileSyncer`` that fsyncs on a few worker queues (fsync waits on the disk, not the CPU:
/// several at once let the file system commit them together).
public final class BackgroundFileSyncer: FileSyncer, Sendable {
    private let queues: [DispatchQueue]
    private let sync: @Sendable (String) throws(FileSystemError) -> Void
    private let next = Atomic<Int>(0)
    private let finished = Mutex<[FileSyncResult]>([])
    // The callback sits in a class box: a function value stored directly in a `Mutex` is
    // re-abstracted on every `withLock` that touches it (inout of a generic value), and each
    // read wrapped it in two more thunks, so the n-th call walked 2n of them (quadratic CPU and
    // a memory leak over a daemon's life).
    private let onFinished: Mutex<FinishCallback?>

    /// A syncer running `sync` (for example ``LocalFileSystem/syncFile(_:)``) on `threads` queues;
    /// `onFinished` runs on a worker after each file, to wake whoever collects the results.
    public init(threads: Int = 4, sync: @escaping @Sendable (String) throws(FileSystemError) -> Void,
                onFinished: (@Sendable () -> Void)? = nil) {
        queues = (0..<max(1, threads)).map { DispatchQueue(label: "peersync.fsync.\($0)") }
        self.sync = sync
        self.onFinished = Mutex(onFinished.map(FinishCallback.init))
    }

    /// Sets what runs after each finished file (replacing the previous callback).
    public func setOnFinished(_ body: (@Sendable () -> Void)?) {
        let callback = body.map(FinishCallback.init)
        onFinished.withLock { $0 = callback }
    }

    /// ``FileSyncer`` requirement: queued on the next worker, round robin.
    public func submit(_ path: String) {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        queues[i % queues.count].async { [self] in
            var error: FileSystemError?
            do throws(FileSystemError) { try sync(path) } catch let e { error = e }
            finished.withLock { $0.append(FileSyncResult(path: path, error: error)) }
            onFinished.withLock { $0 }?.body()
        }
    }

    /// ``FileSyncer`` requirement.
    public func takeFinished() -> [FileSyncResult] {
        finished.withLock { f in
            defer { f.removeAll() }
            return f
        }
    }

    /// Waits until every file submitted so far is done (results stay to be taken).
    public func waitForSubmitted() {
        for q in queues { q.sync {} }
    }
}

/// A callback held by reference, so storing and reading it never re-wraps the function value.
final class FinishCallback: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
