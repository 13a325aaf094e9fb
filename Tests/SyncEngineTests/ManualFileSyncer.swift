import SyncFS

/// A ``FileSyncer`` whose flushes the test completes when it chooses (deterministic), through
/// the file system's own `syncFile` (so the in-memory crash model sees them).
final class ManualFileSyncer: FileSyncer {
    let fs: any FileSystem
    /// Submitted and not yet completed, in submission order.
    private(set) var pending: [String] = []
    private var finished: [FileSyncResult] = []
    /// Every path ever submitted.
    private(set) var submitted: [String] = []
    /// True when it takes directories (``submitDirectories(_:)``) as the daemon's syncer does.
    let takesDirectories: Bool
    /// Directories submitted and not yet made durable, in submission order.
    private(set) var pendingDirectories: [String] = []

    /// True when it takes whole small files to write (``submitWrite(_:)``) as the daemon's syncer does.
    let writesFiles: Bool
    /// While false, ``submitWrite(_:)`` refuses (as the daemon's syncer does while it holds too many bytes).
    var acceptsWrites = true
    /// Writes taken and not yet performed, in submission order.
    private(set) var pendingWrites: [FileWrite] = []

    init(fs: any FileSystem, takesDirectories: Bool = false, writesFiles: Bool = false) {
        self.fs = fs; self.takesDirectories = takesDirectories; self.writesFiles = writesFiles
    }

    func submitWrite(_ write: FileWrite) -> Bool {
        guard writesFiles, acceptsWrites else { return false }
        pendingWrites.append(write)
        return true
    }

    /// Performs the pending writes through the file system (``FileWrite/perform(on:)``, so its
    /// fault hook sees them): each written file is then submitted for its flush, each failed one
    /// reported with its error.
    func completeWrites() {
        for w in pendingWrites {
            do { try w.perform(on: fs); submit(w.path) } catch { finished.append(FileSyncResult(path: w.path, error: error)) }
        }
        pendingWrites.removeAll()
    }

    func submitDirectories(_ directories: [String]) -> Bool {
        guard takesDirectories else { return false }
        pendingDirectories += directories
        return true
    }

    /// Completes the pending directory flushes through the file system's own `syncDirectory`
    /// (or fails them with `error`).
    func completeDirectories(failing error: FileSystemError? = nil) {
        for d in pendingDirectories {
            if let error {
                finished.append(FileSyncResult(path: d, error: error, isDirectory: true))
                continue
            }
            do { try fs.syncDirectory(d); finished.append(FileSyncResult(path: d, error: nil, isDirectory: true)) } catch {
                finished.append(FileSyncResult(path: d, error: error, isDirectory: true))
            }
        }
        pendingDirectories.removeAll()
    }

    func submit(_ path: String) {
        pending.append(path)
        submitted.append(path)
    }

    func takeFinished() -> [FileSyncResult] {
        defer { finished.removeAll() }
        return finished
    }

    /// Forgets the pending flushes (the process died with them).
    func dropPending() { pending.removeAll(); pendingDirectories.removeAll(); pendingWrites.removeAll() }

    /// Completes every pending flush (or fails them with `error`).
    func completeAll(failing error: FileSystemError? = nil) {
        for path in pending {
            if let error {
                finished.append(FileSyncResult(path: path, error: error))
                continue
            }
            do { try fs.syncFile(path); finished.append(FileSyncResult(path: path, error: nil)) } catch {
                finished.append(FileSyncResult(path: path, error: error))
            }
        }
        pending.removeAll()
    }
}

extension ManualFileSyncer {
    /// One round as the daemon's syncer runs it for engine `i` of `c`: the pending writes, then
    /// the file flushes, each followed by the engine collecting them and the cluster running.
    func round(_ c: Cluster, engine i: Int) {
        completeWrites()
        completeAll()
        c.engines[i].collectSynced(now: c.now)
        c.collect()
        c.run()
        completeDirectories()
        c.engines[i].collectSynced(now: c.now)
        c.collect()
        c.run()
    }
}
