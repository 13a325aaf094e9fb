import SyncFS
import SyncProtocol
import WireKit

/// Files kept open between the chunk requests that read them (a large file is asked for 64 KiB
/// at a time: an `open` and a `close` per chunk were a tenth of serving it).
///
/// A handle is only a shortcut to the bytes: every read through it is still followed by the
/// `fstat` that proves them the scanned ones (or by a hash of them), as for a fresh open. It is
/// kept only while that `fstat` matched the index, closed when the index records anything new
/// at its path (a scan's change, a placed pull), when a scan begins, when the engine renames a
/// file over its path, after ``idle`` unused, and when ``limit`` others are newer.
struct ServeHandles {
    struct Entry {
        let path: SyncPath
        let file: any ReadableFile
        var lastUsed: Instant
    }

    /// Most files kept open.
    static let limit = 4
    /// How long an unused handle stays open.
    static let idle: Duration = .seconds(1)

    /// Newest last.
    private(set) var entries: [Entry] = []

    /// True when no handle is kept.
    var isEmpty: Bool { entries.isEmpty }

    /// Takes the handle kept for `path` out (the caller gives it back with ``keep(_:for:now:)``
    /// or closes it).
    mutating func take(_ path: SyncPath) -> (any ReadableFile)? {
        guard let i = entries.firstIndex(where: { $0.path == path }) else { return nil }
        return entries.remove(at: i).file
    }

    /// Keeps `file` open for `path`, closing the oldest handle past ``limit``.
    mutating func keep(_ file: any ReadableFile, for path: SyncPath, now: Instant) {
        if let old = take(path) { old.close() }
        if entries.count >= Self.limit { entries.removeFirst().file.close() }
        entries.append(Entry(path: path, file: file, lastUsed: now))
    }

    /// Closes the handle kept for `path`, if any.
    mutating func close(_ path: SyncPath) {
        take(path)?.close()
    }

    /// Closes every handle kept.
    mutating func closeAll() {
        for e in entries { e.file.close() }
        entries.removeAll()
    }

    /// Closes the handles unused since ``idle`` before `now`.
    mutating func closeIdle(now: Instant) {
        guard let first = entries.first, first.lastUsed + Self.idle <= now else { return }
        entries.removeAll { e in
            guard e.lastUsed + Self.idle <= now else { return false }
            e.file.close()
            return true
        }
    }

    /// When the oldest handle becomes idle (nil when none is kept).
    var idleDeadline: Instant? { entries.first.map { $0.lastUsed + Self.idle } }
}
