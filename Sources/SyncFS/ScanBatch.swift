import SyncProtocol

/// One batch of a ``ScanCursor``'s walk: the new or changed entries it found, of which some
/// files still need their content hashed. ``hash()`` reads and hashes them and may run on
/// another thread than the cursor's owner (which meanwhile serves peers and handles frames);
/// ``ScanCursor/finish(_:)`` then takes the batch back.
///
/// `@unchecked Sendable`: a batch is handed whole to one hashing thread and back, never shared;
/// its file system is used there while its owner goes on using it only when it declares
/// ``FileSystem/supportsConcurrentReads`` (see ``canHashElsewhere``); the rest are values.
public struct ScanBatch: @unchecked Sendable {
    /// What reading one file gave.
    enum Outcome {
        /// Its chunks, and `lstat` after the read still showed the state the walk saw.
        case hashed([ChunkInfo])
        /// The file moved (size, times, inode) while it was read (its chunks, of `bytes`, may mix contents).
        case changed(bytes: UInt64)
        /// It could not be read.
        case failed(FileSystemError)
    }

    /// Entries in walk order; those at `toHash` carry `chunks == nil` until finished.
    var entries: [ScannedEntry]
    /// Indices into `entries` of the files to hash.
    let toHash: [Int]
    /// Bytes of the files to hash (as the walk saw them).
    public let hashBytes: UInt64
    /// The folder.
    let fs: any FileSystem
    /// The chunker for file content.
    let chunker: Chunker
    /// Threads reading and hashing.
    public var threads: Int
    /// One outcome per `toHash` index, once hashed.
    var outcomes: [Outcome]?

    /// The paths of the batch's entries.
    public var paths: [SyncPath] { entries.map(\.path) }

    /// Files in the batch whose content is still to be read and hashed.
    public var filesToHash: Int { outcomes == nil ? toHash.count : 0 }

    /// True when ``hash()`` may run on another thread while the owner goes on using the file system.
    public var canHashElsewhere: Bool { fs.supportsConcurrentReads }

    /// Reads and hashes the batch's files (on ``threads`` threads when the file system allows),
    /// then looks at each file again: one whose state moved while it was read is marked changed.
    public mutating func hash() {
        guard outcomes == nil else { return }
        let jobs = toHash.map { (path: entries[$0].path.string, size: entries[$0].state.size) }
        guard !jobs.isEmpty else { outcomes = []; return }
        let hashed = ParallelHasher(fs: fs, chunker: chunker, threads: fs.supportsConcurrentReads ? threads : 1).hash(jobs)
        outcomes = zip(toHash, hashed).map { i, outcome in
            switch outcome {
            case .success(let chunks):
                let total = chunks.reduce(UInt64(0)) { $0 + UInt64($1.size) }
                // Asked after the read: a write begun before it has moved the times by now.
                let after = (try? fs.info(entries[i].path.string))?.flatMap { LocalFileState($0) }
                return after == entries[i].state && total == entries[i].state.size ? .hashed(chunks) : .changed(bytes: total)
            case .failure(let error):
                return .failed(error)
            }
        }
    }
}
