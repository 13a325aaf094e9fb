/// Why the SQLite index could not answer.
public enum IndexStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file row names a chunk list that is not stored (the lookup is retried later; the file is
    /// never taken to be empty).
    case missingChunkList(path: String)

    /// What happened, for logs and status.
    public var description: String {
        switch self {
        case .missingChunkList(let path):
            "the index has no chunk list for \(path); it will be looked up again (if this persists, run `syncctl folders rescan`)"
        }
    }
}
