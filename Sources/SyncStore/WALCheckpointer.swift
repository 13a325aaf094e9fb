import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Runs SQLite's WAL checkpoints on a connection and thread of their own, so the thread that
/// commits (a folder engine's) never waits for their fsyncs.
///
/// SQLite checkpoints automatically inside the commit that takes the WAL past 1,000 frames:
/// it copies the frames into the database file and fsyncs both, which took up to 0.5 s per
/// checkpoint on this machine while pulled files were being written back (the engine, and every
/// response it should have answered, waited). Installed on the writer connection, the WAL hook
/// here replaces that: after such a commit it only asks this checkpointer, whose thread runs a
/// PASSIVE checkpoint (it never blocks the writer or readers, and the writer keeps appending
/// meanwhile; SQLite restarts the WAL from its start once a checkpoint has copied it all).
/// Requests while one runs are folded into one more run. The connection writes no rows.
final class WALCheckpointer: Sendable {
    /// WAL frames after a commit from which a checkpoint is asked for (SQLite's own default).
    static let thresholdFrames: Int32 = 1000

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "peersync.sqlite.checkpoint")
    private let state = Mutex<(running: Bool, again: Bool)>((false, false))
    private let runs = Atomic<Int>(0)

    /// A checkpointer with its own connection to the database at `path` (already in WAL mode).
    init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        connection = try DatabaseQueue(path: path, configuration: config)
    }

    /// Checkpoints run so far (for tests).
    var checkpointsRun: Int { runs.load(ordering: .relaxed) }

    /// Replaces SQLite's automatic checkpoint on `db` (the writer connection) with requests to
    /// this checkpointer. The checkpointer must outlive the connection's commits.
    func install(on db: Database) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            if frames >= WALCheckpointer.thresholdFrames, let context {
                Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().request()
            }
            return SQLITE_OK
        }, context)
    }

    /// Asks for a checkpoint (started now, or once more after the one running).
    func request() {
        let start = state.withLock { s in
            if s.running { s.again = true; return false }
            s.running = true
            return true
        }
        if start { queue.async { [self] in run() } }
    }

    /// Waits until no checkpoint runs or is asked for.
    func waitForIdle() { queue.sync {} }

    private func run() {
        while true {
            // A failure (busy, I/O) leaves the frames in the WAL for the next request or for
            // the checkpoint at shutdown; the data is durable in the WAL either way.
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            runs.wrappingAdd(1, ordering: .relaxed)
            let again = state.withLock { s in
                defer { s.again = false }
                if !s.again { s.running = false }
                return s.again
            }
            if !again { return }
        }
    }
}
