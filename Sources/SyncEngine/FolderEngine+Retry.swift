import SyncFS
import SyncProtocol
import WireKit

/// Retrying pulls that failed for a local reason (a full disk, a permission error, a file in
/// use): such a failure is not the peer's fault, so the peer stays a source and the path is
/// tried again after an exponential backoff (1 s doubling to 64 s), keeping the partly written
/// temp file so the retry resumes. A successful placement resets the backoff.
extension FolderEngine {
    static let firstPullRetry: Duration = .seconds(1)
    static let maxPullRetry: Duration = .seconds(64)

    /// Turns the failures recorded since the last call into retry times.
    func schedulePullRetries(now: Instant) {
        guard !failedPulls.isEmpty else { return }
        for path in failedPulls {
            let backoff = pullRetryBackoff[path].map { min($0 * 2, Self.maxPullRetry) } ?? Self.firstPullRetry
            pullRetryBackoff[path] = backoff
            pullRetryAt[path] = now + backoff
        }
        failedPulls.removeAll()
    }

    /// True when some retry is due (the caller then runs a pull pass, which starts them).
    func retryPullsDue(now: Instant) -> Bool {
        pullRetryAt.values.contains { $0 <= now }
    }

    /// Retries every deferred pull at the next pull pass (a rescan asked for by the user).
    func retryPullsNow() {
        pullRetryAt.removeAll()
    }

    /// Stops a pull without deleting its temp file, so a later attempt resumes from it.
    func suspend(_ path: SyncPath) {
        guard let p = pulls.removeValue(forKey: path) else { return }
        for (id, r) in requests where r.path == path && r.pullID == p.id {
            requests[id] = nil
            bytesInFlight -= r.size
            peers[r.peer]?.outstandingBytes -= r.size
        }
        p.temp?.close()
    }
}
