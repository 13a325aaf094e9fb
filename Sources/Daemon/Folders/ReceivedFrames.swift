import SyncEngine

/// A two-stage pipeline from a link to its folder: frames are decoded and their chunks hashed
/// (``FolderEngine/prepare(_:)``) by the link's receiving task while the folder's actor still
/// handles the batch before, so that work uses another core instead of the folder's serial
/// path. Batches reach the folder in order, one at a time; at most one batch is being prepared
/// while one is delivered, so memory stays bounded by two batches.
///
/// One caller (the link's receiving task) at a time.
final class ReceivedFrames {
    private var delivering: Task<Void, Never>?

    /// Prepares `batch`, waits for the previous batch's delivery to end, then starts delivering
    /// this one to `handler` (not waited for: the caller goes on to the next batch).
    func deliver(_ batch: [[UInt8]], to handler: @escaping @Sendable ([ReceivedFrame]) async -> Void) async {
        let prepared = FolderEngine.prepare(batch: batch)
        await delivering?.value
        delivering = Task { await handler(prepared) }
    }

    /// Waits for the last delivery to end.
    func finish() async {
        await delivering?.value
        delivering = nil
    }
}
