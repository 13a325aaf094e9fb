import SyncProtocol

/// Something the engine reports to the daemon (for logs, status and the UI).
public enum SyncEvent: Sendable, Equatable {
    /// A local change was recorded by a scan.
    case localChanged(SyncPath)
    /// A remote version was applied locally (file, directory, symlink or metadata).
    case pulled(SyncPath)
    /// A remote deletion was applied locally.
    case deleted(SyncPath)
    /// Concurrent changes: the local version was kept as `copy` and the winner written to `path`.
    case conflict(path: SyncPath, copy: SyncPath)
    /// A pull would have deleted `count` files, more than the configured share; deletions stopped.
    case massDeletionBlocked(count: Int)
    /// The folder marker (`.peersync`) vanished: the folder may be unmounted; scanning and pulling stopped.
    case folderMarkerMissing
    /// A peer broke the protocol and was disconnected.
    case peerError(peer: String, reason: String)
    /// A file could not be pulled (it will be retried).
    case pullFailed(SyncPath, reason: String)
    /// A receive-only folder has `count` local changes that are not sent (they can be reverted).
    case receiveOnlyChanges(count: Int)
}

/// A frame for one peer, produced by ``FolderEngine/pollTransmit()``.
public struct SyncTransmit: Sendable, Equatable {
    /// The peer's device ID.
    public var peer: String
    /// The encoded frame.
    public var bytes: [UInt8]
}
