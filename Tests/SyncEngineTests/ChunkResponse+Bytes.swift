import SyncProtocol

extension ChunkResponse {
    /// The chunk bytes as an array (``ChunkResponse/data`` is a view of the frame they came in),
    /// to compare with the bytes a test expects.
    var bytes: [UInt8] { Array(data) }
}
