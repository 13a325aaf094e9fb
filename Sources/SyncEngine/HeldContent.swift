import SyncProtocol
import WireKit

/// Files deleted by a peer's deletion whose content is kept a while, reusable by pulls, in
/// `.peersync/held/` (see ``FolderEngine/holdDeleted(_:record:)``).
///
/// A rename reaches us as a deletion of the old name and a new file; when the sender's scan saw
/// the deletion before the new name (the file was renamed while it scanned), the two arrive in
/// different index updates, and the old file is deleted before the new name is known. Held, its
/// chunks are still found by ``FolderEngine/localChunk(_:)``, so the new name costs no transfer.
/// Held files are removed once ``FolderConfig/deletedContentHold`` has passed (and any left by
/// a crash, at the next pull pass): the deleted path is gone at once, its bytes a little later.
struct HeldContent {
    /// Where a held chunk lies.
    struct Location {
        var file: String
        var offset: UInt64
    }

    /// The folder-relative directory of held files.
    static let directory = PathPolicy.stateDirectoryName + "/held"
    /// Most files held at once (their chunk locations are kept in memory); past it a deleted
    /// file is removed at once.
    static let fileLimit = 4096
    /// Most chunk locations held at once (~64 KiB of content each; ~6 MiB of memory at the
    /// limit): past it a deleted file is removed at once, so deleting a large tree holds no
    /// more than this.
    static let chunkLimit = 65_536

    /// Held chunks by hash.
    var chunks: [ContentHash: Location] = [:]
    /// Held files with the time each is let go, oldest first: removed then, unless it is a
    /// version kept by versioning (only its chunks are forgotten).
    var files: [(path: String, hashes: [ContentHash], expires: Instant, removeAtExpiry: Bool)] = []
    /// The next held file's name.
    var nextID: UInt64 = 0
    /// True once leftovers of an earlier run were cleared from ``directory``.
    var cleared = false

    /// When the oldest held file is to be removed.
    var nextExpiry: Instant? { files.first?.expires }
}
