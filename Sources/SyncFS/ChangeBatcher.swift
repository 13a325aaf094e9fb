import SyncProtocol
import WireKit

/// Collects changed paths from a watcher and releases them in batches (sans-IO, time passed in).
///
/// A change is released ``window`` after the first change of its batch (about one second, so
/// an editor's burst of writes becomes one rescan). A deletion is held back for
/// ``deleteDelay``: if the path reappears in the meantime (a rename, or a save-by-replace) it
/// is reported as a change instead, so a rename never looks like a delete followed by a create.
public struct ChangeBatcher: Sendable {
    /// How long changes are gathered before they are released.
    public let window: Duration
    /// How long a deletion waits for the path to reappear.
    public let deleteDelay: Duration
    /// Most distinct paths held; beyond it the batcher asks for a full rescan instead.
    public let maxPaths: Int

    private var changes: [SyncPath: Instant] = [:]
    private var deletes: [SyncPath: Instant] = [:]
    private var batchStart: Instant?
    /// True when too many paths piled up (or the kernel queue overflowed): rescan everything.
    public private(set) var needsFullRescan = false

    /// A batcher.
    public init(window: Duration = .seconds(1), deleteDelay: Duration = .seconds(10), maxPaths: Int = 100_000) {
        self.window = window; self.deleteDelay = deleteDelay; self.maxPaths = maxPaths
    }

    /// Records that `path` changed (created, written, chmod, renamed to).
    public mutating func changed(_ path: SyncPath, now: Instant) {
        deletes[path] = nil
        if changes[path] == nil { changes[path] = now }
        if batchStart == nil { batchStart = now }
        checkSize()
    }

    /// Records that `path` was removed (or renamed away).
    public mutating func removed(_ path: SyncPath, now: Instant) {
        changes[path] = nil
        if deletes[path] == nil { deletes[path] = now }
        checkSize()
    }

    /// Asks for a full rescan (e.g. the kernel's event queue overflowed).
    public mutating func overflow() { needsFullRescan = true }

    private mutating func checkSize() {
        if changes.count + deletes.count > maxPaths { needsFullRescan = true; changes = [:]; deletes = [:]; batchStart = nil }
    }

    /// The next instant at which ``poll(now:)`` has something to release.
    public func nextDeadline() -> Instant? {
        let c = batchStart.map { $0 + window }
        let d = deletes.values.min().map { $0 + deleteDelay }
        switch (c, d) {
        case (nil, nil): return nil
        case (let x?, nil): return x
        case (nil, let y?): return y
        case (let x?, let y?): return min(x, y)
        }
    }

    /// A released batch: paths to rescan, and whether everything must be rescanned.
    public struct Batch: Sendable, Equatable {
        /// Changed or removed paths, sorted.
        public var paths: [SyncPath]
        /// True when the watcher lost track and a full rescan is needed.
        public var fullRescan: Bool
    }

    /// Releases what is due at `now`, or nil.
    public mutating func poll(now: Instant) -> Batch? {
        if needsFullRescan {
            needsFullRescan = false
            changes = [:]; deletes = [:]; batchStart = nil
            return Batch(paths: [], fullRescan: true)
        }
        var out: [SyncPath] = []
        if let start = batchStart, now >= start + window {
            out.append(contentsOf: changes.keys)
            changes = [:]
            batchStart = nil
        }
        for (p, t) in deletes where now >= t + deleteDelay {
            out.append(p)
            deletes[p] = nil
        }
        return out.isEmpty ? nil : Batch(paths: out.sorted(), fullRescan: false)
    }
}

/// When to run the periodic full rescan: every ``interval`` plus or minus up to ``jitter``,
/// drawn from a seeded generator so that devices do not rescan in lockstep.
public struct RescanSchedule: Sendable {
    /// Mean time between full rescans.
    public let interval: Duration
    /// Largest random offset either way.
    public let jitter: Duration
    private var rng: SeededRandom

    /// A schedule.
    public init(interval: Duration = .seconds(3600), jitter: Duration = .seconds(900), seed: UInt64) {
        self.interval = interval; self.jitter = jitter; rng = SeededRandom(seed: seed)
    }

    /// The next rescan after `now`.
    public mutating func next(after now: Instant) -> Instant {
        let j = jitter.nanosecondsClamped
        let offset = j > 0 ? Int64(rng.next() % UInt64(2 * j + 1)) - j : 0
        return now + interval + .nanoseconds(offset)
    }
}
