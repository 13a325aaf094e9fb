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
    /// True for a directory submitted with ``FileSyncer/submitDirectories(_:)``: its entries
    /// (the renames into it) are durable.
    public var isDirectory: Bool

    /// A result for `path`.
    public init(path: String, error: FileSystemError?, isDirectory: Bool = false) {
        self.path = path; self.error = error; self.isDirectory = isDirectory
    }
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
    /// Makes the entries of each of `directories` durable (fsyncs them) and returns once all
    /// are done, with the error of each that failed. The default fsyncs them one after another
    /// through `fs`.
    func syncDirectories(_ directories: [String], fs: any FileSystem) -> [String: FileSystemError]
    /// Starts making the entries of each of `directories` durable without waiting; each comes
    /// back once from ``takeFinished()`` with `isDirectory` set, after every rename made into it
    /// before this call is durable. Returns false (and does nothing) when this syncer cannot;
    /// the caller then uses ``syncDirectories(_:fs:)``. The default cannot.
    func submitDirectories(_ directories: [String]) -> Bool
    /// Starts writing `write` (``FileWrite/perform(on:)``) on a worker and then making it
    /// durable as ``submit(_:)`` would; its result comes back from ``takeFinished()`` under
    /// `write.path`, with the write's error if that failed (the file is then gone). Returns false
    /// (and does nothing) when this syncer does not write files or already holds too many bytes
    /// not yet written: the caller then writes the file itself. The default does not write.
    func submitWrite(_ write: FileWrite) -> Bool
    /// True when this syncer may take ``submitWrite(_:)`` (it may still refuse one while too many
    /// bytes wait to be written). The default: false.
    var writesFiles: Bool { get }
}

extension FileSyncer {
    /// ``FileSyncer`` requirement: one after another, on the caller's thread.
    public func syncDirectories(_ directories: [String], fs: any FileSystem) -> [String: FileSystemError] {
        var failed: [String: FileSystemError] = [:]
        for d in directories {
            do throws(FileSystemError) { try fs.syncDirectory(d) } catch { failed[d] = error }
        }
        return failed
    }

    /// ``FileSyncer`` requirement: not supported.
    public func submitDirectories(_ directories: [String]) -> Bool { false }

    /// ``FileSyncer`` requirement: not supported.
    public func submitWrite(_ write: FileWrite) -> Bool { false }

    /// ``FileSyncer`` requirement: not supported.
    public var writesFiles: Bool { false }
}

/// A ``FileSyncer`` that fsyncs on a few worker queues (fsync waits on the disk, not the CPU:
/// several at once let the file system commit them together).
///
/// With a `syncAll` (a ``FileSystemFlusher``), files are flushed in rounds instead: one round
/// runs at a time and takes every file submitted meanwhile; a round of at least
/// ``batchMinimum`` files is made durable by one `syncAll` (one journal commit for all of them,
/// where each fsync costs one: a pull of 10,000 small files spent most of its time waiting on
/// fsyncs), a smaller round, or one whose `syncAll` failed, file by file with `sync` (so each
/// file reports its own error). With a `syncDirectory` too, directories submitted with
/// ``submitDirectories(_:)`` join the next round the same way: its `syncAll` makes the renames
/// into them durable (no directory fsync on the caller's thread), or each is fsynced. With a
/// `writeFile`, files handed over with ``submitWrite(_:)`` are written on one more queue first
/// (at most ``maxUnwrittenBytes`` held at once), then join the next round. With a `dropCached`,
/// each file's cached pages are dropped once it is durable (all clean then), before its result
/// is handed back (the caller renames the file after that, so the path still names it).
public final class BackgroundFileSyncer: FileSyncer, Sendable {
    private let queues: [DispatchQueue]
    private let sync: @Sendable (String) throws(FileSystemError) -> Void
    private let syncAll: (@Sendable () throws(FileSystemError) -> Void)?
    private let syncDirectory: (@Sendable (String) throws(FileSystemError) -> Void)?
    private let dropCached: (@Sendable (String) -> Void)?
    /// Least files in a round for it to be flushed with one `syncAll`.
    public let batchMinimum: Int
    private let next = Atomic<Int>(0)
    private let finished = Mutex<[FileSyncResult]>([])
    // The callback sits in a class box: a function value stored directly in a `Mutex` is
    // re-abstracted on every `withLock` that touches it (inout of a generic value), and each
    // read wrapped it in two more thunks, so the n-th call walked 2n of them (quadratic CPU and
    // a memory leak over a daemon's life).
    private let onFinished: Mutex<FinishCallback?>
    /// Files waiting for the next round, and whether a round is running (batch mode only).
    private let rounds = Mutex<RoundState>(RoundState())
    private let roundQueue = DispatchQueue(label: "peersync.fsync.rounds")
    private let counters = Mutex<FileSyncerCounters>(FileSyncerCounters())
    private let writeFile: (@Sendable (FileWrite) throws(FileSystemError) -> Void)?
    /// Most bytes of ``submitWrite(_:)`` content held, not yet written, before it refuses more.
    public let maxUnwrittenBytes: Int
    private let unwritten = Atomic<Int>(0)
    // One queue for all writes: creating files in parallel in one directory made each ext4
    // create cost twice the CPU (threads contending for the directory lock and the same free
    // inode bits: perf, 10,000 small files).
    private let writeQueue = DispatchQueue(label: "peersync.write")

    struct RoundState {
        var pending: [String] = []
        var directories: [String] = []
        var running = false
    }

    /// A syncer running `sync` (for example ``LocalFileSystem/syncFile(_:)``) on `threads` queues;
    /// `onFinished` runs on a worker after each file (after each round with `syncAll`), to wake
    /// whoever collects the results. With `syncAll` (for example ``FileSystemFlusher/syncAll()``),
    /// rounds of at least `batchMinimum` files are flushed by it at once. With `writeFile` (for
    /// example ``FileWrite/perform(on:)`` on the folder's ``LocalFileSystem``), it takes
    /// ``submitWrite(_:)`` while less than `maxUnwrittenBytes` wait to be written. With
    /// `dropCached` (for example ``LocalFileSystem/dropCachedPages(of:)``), every file made
    /// durable has its cached pages dropped before its result is delivered.
    public init(threads: Int = 4, sync: @escaping @Sendable (String) throws(FileSystemError) -> Void,
                syncAll: (@Sendable () throws(FileSystemError) -> Void)? = nil, batchMinimum: Int = 4,
                syncDirectory: (@Sendable (String) throws(FileSystemError) -> Void)? = nil,
                writeFile: (@Sendable (FileWrite) throws(FileSystemError) -> Void)? = nil, maxUnwrittenBytes: Int = 4 << 20,
                dropCached: (@Sendable (String) -> Void)? = nil,
                onFinished: (@Sendable () -> Void)? = nil) {
        queues = (0..<max(1, threads)).map { DispatchQueue(label: "peersync.fsync.\($0)") }
        self.writeFile = writeFile
        self.maxUnwrittenBytes = max(0, maxUnwrittenBytes)
        self.sync = sync
        self.syncAll = syncAll
        self.syncDirectory = syncDirectory
        self.dropCached = dropCached
        self.batchMinimum = max(1, batchMinimum)
        self.onFinished = Mutex(onFinished.map(FinishCallback.init))
    }

    /// Sets what runs after each finished file or round (replacing the previous callback).
    public func setOnFinished(_ body: (@Sendable () -> Void)?) {
        let callback = body.map(FinishCallback.init)
        onFinished.withLock { $0 = callback }
    }

    /// How the files so far were made durable.
    public var statistics: FileSyncerCounters { counters.withLock { $0 } }

    /// ``FileSyncer`` requirement: queued for the next round, or (without `syncAll`) on the next
    /// worker, round robin.
    public func submit(_ path: String) {
        guard syncAll != nil else {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            queues[i % queues.count].async { [self] in
                let result = syncOne(path)
                counters.withLock { $0.singly += 1 }
                deliver([result])
            }
            return
        }
        let start = rounds.withLock { s in
            s.pending.append(path)
            guard !s.running else { return false }
            s.running = true
            return true
        }
        if start { roundQueue.async { [self] in runRounds() } }
    }

    /// ``FileSyncer`` requirement: true with a `writeFile`.
    public var writesFiles: Bool { writeFile != nil }

    /// ``FileSyncer`` requirement: written on the syncer's write queue, in order, then submitted
    /// (``submit(_:)``); refused while ``maxUnwrittenBytes`` are held (one write is always taken
    /// when none is).
    public func submitWrite(_ write: FileWrite) -> Bool {
        guard let writeFile else { return false }
        let size = write.data.count
        let held = unwritten.load(ordering: .relaxed)
        guard held == 0 || held + size <= maxUnwrittenBytes else { return false }
        unwritten.wrappingAdd(size, ordering: .relaxed)
        writeQueue.async { [self] in
            var failure: FileSystemError?
            do throws(FileSystemError) { try writeFile(write) } catch { failure = error }
            unwritten.wrappingSubtract(size, ordering: .relaxed)
            guard let failure else {
                counters.withLock { $0.written += 1 }
                submit(write.path)
                return
            }
            counters.withLock { $0.failedWrites += 1 }
            deliver([FileSyncResult(path: write.path, error: failure)])
        }
        return true
    }

    /// ``FileSyncer`` requirement: with `syncAll` and `syncDirectory`, the directories join the
    /// next round (which starts now if none runs).
    public func submitDirectories(_ directories: [String]) -> Bool {
        guard syncAll != nil, syncDirectory != nil else { return false }
        guard !directories.isEmpty else { return true }
        let start = rounds.withLock { s in
            s.directories.append(contentsOf: directories)
            guard !s.running else { return false }
            s.running = true
            return true
        }
        if start { roundQueue.async { [self] in runRounds() } }
        return true
    }

    /// ``FileSyncer`` requirement.
    public func takeFinished() -> [FileSyncResult] {
        finished.withLock { f in
            defer { f.removeAll() }
            return f
        }
    }

    /// ``FileSyncer`` requirement: with a `syncDirectory`, the directories are fsynced at the
    /// same time on the worker queues (each directory fsync waits for a journal commit, and
    /// concurrent ones share it; one after another they held the folder up to 0.5 s per round
    /// while large files were being flushed), otherwise one after another through `fs`.
    public func syncDirectories(_ directories: [String], fs: any FileSystem) -> [String: FileSystemError] {
        guard let syncDirectory, directories.count > 1 else {
            var failed: [String: FileSystemError] = [:]
            for d in directories {
                do throws(FileSystemError) {
                    if let syncDirectory { try syncDirectory(d) } else { try fs.syncDirectory(d) }
                } catch { failed[d] = error }
            }
            return failed
        }
        let failed = Mutex<[String: FileSystemError]>([:])
        let group = DispatchGroup()
        for (i, d) in directories.enumerated() {
            queues[i % queues.count].async(group: group) {
                do throws(FileSystemError) { try syncDirectory(d) } catch { failed.withLock { $0[d] = error } }
            }
        }
        group.wait()
        return failed.withLock { $0 }
    }

    /// Waits until every file submitted so far is done (results stay to be taken).
    public func waitForSubmitted() {
        writeQueue.sync {}   // writes, which then submit their files
        roundQueue.sync {}
        for q in queues { q.sync {} }
    }

    /// Flushes rounds until no file or directory waits.
    private func runRounds() {
        while true {
            let (files, directories): ([String], [String]) = rounds.withLock { s in
                let taken = (s.pending, s.directories)
                s.pending = []
                s.directories = []
                if taken.0.isEmpty && taken.1.isEmpty { s.running = false }
                return taken
            }
            guard !files.isEmpty || !directories.isEmpty else { return }
            var results: [FileSyncResult]?
            if files.count + directories.count >= batchMinimum, let syncAll {
                do throws(FileSystemError) {
                    try syncAll()
                    if let dropCached { for f in files { dropCached(f) } }
                    results = files.map { FileSyncResult(path: $0, error: nil) }
                        + directories.map { FileSyncResult(path: $0, error: nil, isDirectory: true) }
                    counters.withLock { $0.batched += files.count; $0.batchedDirectories += directories.count; $0.batches += 1 }
                } catch {
                    counters.withLock { $0.failedBatches += 1 }
                }
            }
            let done = results ?? syncEach(files, directories: directories)
            deliver(done)
        }
    }

    /// Hands `results` to ``takeFinished()`` and wakes whoever collects them.
    private func deliver(_ results: [FileSyncResult]) {
        finished.withLock { $0.append(contentsOf: results) }
        onFinished.withLock { $0 }?.body()
    }

    /// Fsyncs `files` and `directories` one by one, spread over the worker queues, and waits for
    /// them all.
    private func syncEach(_ files: [String], directories: [String] = []) -> [FileSyncResult] {
        let out = Mutex<[FileSyncResult]>([])
        let group = DispatchGroup()
        for (i, path) in files.enumerated() {
            queues[i % queues.count].async(group: group) { [self] in
                let result = syncOne(path)
                out.withLock { $0.append(result) }
            }
        }
        if let syncDirectory {
            for (i, path) in directories.enumerated() {
                queues[(files.count + i) % queues.count].async(group: group) {
                    var error: FileSystemError?
                    do throws(FileSystemError) { try syncDirectory(path) } catch let e { error = e }
                    out.withLock { $0.append(FileSyncResult(path: path, error: error, isDirectory: true)) }
                }
            }
        }
        group.wait()
        counters.withLock { $0.singly += files.count; $0.singlyDirectories += directories.count }
        return out.withLock { $0 }
    }

    private func syncOne(_ path: String) -> FileSyncResult {
        var error: FileSystemError?
        do throws(FileSystemError) { try sync(path); dropCached?(path) } catch let e { error = e }
        return FileSyncResult(path: path, error: error)
    }
}

/// How a ``BackgroundFileSyncer`` made its files durable.
public struct FileSyncerCounters: Sendable, Equatable {
    /// Files made durable by a whole-file-system flush.
    public var batched = 0
    /// Whole-file-system flushes that succeeded.
    public var batches = 0
    /// Whole-file-system flushes that failed (their files were then fsynced one by one).
    public var failedBatches = 0
    /// Files fsynced one by one.
    public var singly = 0
    /// Directories (from ``FileSyncer/submitDirectories(_:)``) made durable by a whole-file-system flush.
    public var batchedDirectories = 0
    /// Directories fsynced one by one.
    public var singlyDirectories = 0
    /// Files written by the syncer (``FileSyncer/submitWrite(_:)``).
    public var written = 0
    /// Writes that failed.
    public var failedWrites = 0
}

/// A callback held by reference, so storing and reading it never re-wraps the function value.
final class FinishCallback: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
