import SyncFS
import SyncProtocol

/// A file being pulled: its target version, temp file and which chunks are still missing.
struct ActivePull {
    /// Distinguishes this pull from a later one of the same path (stale responses are dropped).
    let id: UInt64
    /// The global version being pulled.
    let target: FileRecord
    /// The temp file's path (in the target's directory).
    let tempPath: String
    /// The temp file being filled; nil for a pull of one chunk whose content the ``FileSyncer``
    /// writes (``FolderEngine/defersWrite(of:)``): nothing is created before its chunk arrives.
    var temp: TempFile?
    /// The verified content of a pull without a temp file, until it is handed over to be written
    /// (a view of the received frame's bytes: the chunk is not copied out of it).
    var data: ArraySlice<UInt8>?
    /// Byte offset of each chunk.
    let offsets: [UInt64]
    /// Chunks waiting to be requested, in order.
    var queued: [Int] = []
    /// Chunks requested and not yet answered.
    var pending: Set<Int> = []
    /// Chunks not yet written.
    var remaining: Int
    /// True when the local version is concurrent with the target and must be kept as a conflict copy.
    let conflict: Bool
    /// True when this pull reverts a receive-only local change.
    let revert: Bool
    /// Peers that failed to supply a chunk of this pull (not asked again for it).
    var excludedPeers: Set<String> = []
    /// Peers announcing the target content (looked up once, again only when none can serve).
    var holders: [String]?
    /// The chunk that straddles the end of the file being replaced, when the file grew: its
    /// index and how many of its leading bytes the old file may already hold (an append).
    /// Cleared once a response shows the old bytes are not the chunk's start.
    var appendPrefix: (index: Int, bytes: Int)?

    mutating func requeue(_ index: Int) {
        guard pending.remove(index) != nil else { return }
        queued.append(index)
    }
}
