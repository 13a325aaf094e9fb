/// What this device still needs of a folder, for status: counted in one walk over the need
/// candidates (without chunk lists) and kept until the index changes.
public struct NeedSummary: Hashable, Sendable {
    /// Paths whose local version differs from the global one (deletions included).
    public var paths: Int = 0
    /// Of those, live files still to fetch.
    public var files: Int = 0
    /// The global size of those files.
    public var bytes: UInt64 = 0
    /// Live local files at those paths that the global version replaces or deletes (counted
    /// in the local totals but not part of the global state).
    public var replacedFiles: Int = 0
    /// Their local size.
    public var replacedBytes: UInt64 = 0
    /// A summary.
    public init(paths: Int = 0, files: Int = 0, bytes: UInt64 = 0, replacedFiles: Int = 0, replacedBytes: UInt64 = 0) {
        self.paths = paths; self.files = files; self.bytes = bytes; self.replacedFiles = replacedFiles; self.replacedBytes = replacedBytes
    }
}
