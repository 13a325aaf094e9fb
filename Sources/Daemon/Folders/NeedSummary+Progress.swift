import SyncEngine

/// Keeping a need count current between recounts (``FolderRunner``'s status): each path pulled
/// or deleted is one need fewer, and a pulled path with bytes is one file and its bytes fewer.
/// What the event does not say stays until the next recount: live local files the pull
/// replaced (`replacedFiles`/`replacedBytes`) and empty files (counted as directories).
extension NeedSummary {
    /// A needed path was pulled; its local record now holds `size` bytes.
    mutating func take(pulledFileOf size: UInt64) {
        paths = max(0, paths - 1)
        guard size > 0 else { return }
        files = max(0, files - 1)
        bytes -= min(bytes, size)
    }

    /// A needed deletion was applied.
    mutating func takeDeletion() {
        paths = max(0, paths - 1)
    }
}
