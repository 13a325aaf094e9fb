import SyncProtocol

/// Why the writer refused or failed to place a file.
public enum AtomicWriterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Chunk bytes did not match their announced SHA-256 (or size).
    case hashMismatch(path: String, offset: UInt64)
    /// A file-system call failed.
    case fileSystem(FileSystemError)

    /// What happened, for logs and status.
    public var description: String {
        switch self {
        case .hashMismatch(let path, let offset): "the data received for \(path) at offset \(offset) does not match its hash"
        case .fileSystem(let error): error.description
        }
    }
}

/// A temp file being filled with a pulled file's content.
public struct TempFile {
    /// The final path.
    public let target: SyncPath
    /// The temp file's path (same directory as the target, so the rename is atomic).
    public let path: String
    /// True when the temp file was there before (left by an earlier pull of the same content),
    /// so chunks already in it may be reused.
    public let resumable: Bool
    let handle: any WritableFile

    /// Closes the temp file and keeps it on disk (a later pull of the same content resumes it).
    public func close() { handle.close() }
}

/// Crash-safe placement of pulled files: content goes to a temp file in the target's own
/// directory, every chunk is verified against its SHA-256 before it is written, then the temp
/// file is fsynced, renamed over the target, and the directory fsynced. Only after that may the
/// caller commit the index. A crash at any point leaves the old file or the new one, never a mix.
public struct AtomicWriter {
    /// The folder.
    public let fs: any FileSystem

    /// Every this many bytes into a temp file, the writer starts writeback of what precedes it
    /// (``WritebackStarting``), so large files reach the disk while they are received instead of
    /// all at once in the flush before their rename. Files smaller than this never start it.
    public let writebackInterval: UInt64

    /// A writer for `fs`, starting writeback every `writebackInterval` bytes (default 4 MiB).
    public init(fs: any FileSystem, writebackInterval: UInt64 = 4 << 20) {
        self.fs = fs
        self.writebackInterval = max(1, writebackInterval)
    }

    /// The temp name for pulling `contentHash` into `path`: stable, so a restart can resume it.
    public static func tempPath(for path: SyncPath, contentHash: ContentHash) -> String {
        var name = path.name
        if name.utf8.count > 180 { name = String(decoding: Array(name.utf8.prefix(180)), as: UTF8.self) }
        let temp = PathPolicy.tempPrefix + name + "-" + String(contentHash.hex.prefix(12))
        return path.parent.map { $0.string + "/" + temp } ?? temp
    }

    /// Opens (creating or reusing) the temp file for `path`, sized to `size`.
    public func openTemp(for path: SyncPath, contentHash: ContentHash, size: UInt64) throws(AtomicWriterError) -> TempFile {
        let tp = Self.tempPath(for: path, contentHash: contentHash)
        do throws(FileSystemError) {
            let (handle, existingSize) = try fs.openCreating(tp, permissions: 0o600)
            do throws(FileSystemError) {
                // A temp file left by an earlier pull of this content already has its length; a
                // new one gets it from the chunks written into it (every chunk is written before
                // the file is placed), so it is not truncated first.
                if let existing = existingSize, existing != size { try handle.truncate(to: size) }
            } catch {
                handle.close()
                throw error
            }
            return TempFile(target: path, path: tp, resumable: (existingSize ?? 0) > 0, handle: handle)
        } catch { throw .fileSystem(error) }
    }

    /// Verifies `data` against `chunk` and writes it at `offset` of the temp file. `hash`, when
    /// given, is the SHA-256 of `data` computed earlier (off the caller's serial path); otherwise
    /// it is computed here.
    public func write(_ data: [UInt8], chunk: ChunkInfo, at offset: UInt64, into temp: TempFile, hash: ContentHash? = nil) throws(AtomicWriterError) {
        try write(data[...], chunk: chunk, at: offset, into: temp, hash: hash)
    }

    /// ``write(_:chunk:at:into:hash:)-([UInt8],_,_,_,_)`` of bytes in place (a chunk still in the
    /// frame that carried it: not copied out of it).
    public func write(_ data: ArraySlice<UInt8>, chunk: ChunkInfo, at offset: UInt64, into temp: TempFile, hash: ContentHash? = nil) throws(AtomicWriterError) {
        try verify(data, chunk: chunk, at: offset, of: temp.target, hash: hash)
        do { try temp.handle.write(data, at: offset) } catch { throw .fileSystem(error) }
        startWriteback(after: data.count, at: offset, of: temp)
    }

    /// Verifies `data` against `chunk` (at `offset` of `target`, for the error), as ``write(_:chunk:at:into:hash:)``
    /// does before writing: for content written later by someone else (``FileWrite``).
    public func verify(_ data: ArraySlice<UInt8>, chunk: ChunkInfo, at offset: UInt64, of target: SyncPath, hash: ContentHash? = nil) throws(AtomicWriterError) {
        guard data.count == Int(chunk.size), (hash ?? SHA256Hasher.hash(data)) == chunk.hash else {
            throw .hashMismatch(path: target.string, offset: offset)
        }
    }

    /// When the `count` bytes just written at `offset` cross a multiple of ``writebackInterval``,
    /// starts writeback of the two intervals before it (chunks arrive a little out of order, so
    /// the earlier one catches the stragglers); the flush before the rename does the rest.
    ///
    /// It also drops from the page cache the two intervals before those, given to writeback one
    /// and two crossings earlier and mostly on disk by now (pages still dirty or under writeback
    /// stay, so nothing waits): a large file then keeps at most a few intervals cached instead
    /// of all of it, and its next pages reuse the ones just freed. On a VM whose host backs
    /// guest memory on first touch (free page reporting), copying into fresh page-cache pages
    /// cost ~2.2 ms/MiB of system time against ~0.3 for recycled ones (64 KiB pwrites, 400 MiB
    /// files, 4 MiB writeback steps): the receiving daemon's slow `copy_folio_from_iter_atomic`.
    func startWriteback(after count: Int, at offset: UInt64, of temp: TempFile) {
        guard let file = temp.handle as? any WritebackStarting else { return }
        let boundary = (offset + UInt64(count)) / writebackInterval * writebackInterval
        guard boundary > offset else { return }
        let start = boundary >= 2 * writebackInterval ? boundary - 2 * writebackInterval : 0
        file.startWriteback(offset: start, count: boundary - start)
        guard start > 0 else { return }
        let dropStart = start >= 2 * writebackInterval ? start - 2 * writebackInterval : 0
        file.dropCached(offset: dropStart, count: start - dropStart)
    }

    /// Applies mode and mtime, fsyncs the temp file, drops its cached pages (all clean now: a
    /// pulled file is not kept in memory for a reader that may never come), renames it over the
    /// target and fsyncs the directory.
    public func commit(_ temp: TempFile, permissions: UInt32, mtimeNanoseconds: Int64) throws(AtomicWriterError) {
        do {
            try temp.handle.setPermissions(permissions)
            try temp.handle.setModificationTime(mtimeNanoseconds)
            try temp.handle.sync()
            (temp.handle as? any WritebackStarting)?.dropCached(offset: 0, count: 0)
            temp.handle.close()
            try fs.rename(temp.path, to: temp.target.string)
            try fs.syncDirectory(temp.target.parent?.string ?? "")
        } catch { throw .fileSystem(error) }
    }

    /// Applies mode and mtime and closes a filled temp file, ready for a ``FileSyncer`` to make
    /// it durable; ``place(_:)`` renames it once the syncer reports it done.
    public func prepareForSync(_ temp: TempFile, permissions: UInt32, mtimeNanoseconds: Int64) throws(AtomicWriterError) {
        do {
            try temp.handle.setPermissions(permissions)
            try temp.handle.setModificationTime(mtimeNanoseconds)
            temp.handle.close()
        } catch { throw .fileSystem(error) }
    }

    /// Renames a temp file that a ``FileSyncer`` made durable over its target. The caller
    /// fsyncs the target's directory (once for all files placed there) before committing the index.
    /// The syncer drops the file's cached pages once durable (``BackgroundFileSyncer``'s `dropCached`).
    public func place(_ temp: TempFile) throws(AtomicWriterError) {
        try place(temp.path, over: temp.target)
    }

    /// ``place(_:)`` for the durable temp file at `path` (one written by a
    /// ``FileSyncer``, ``FileWrite``), renamed over `target`.
    public func place(_ path: String, over target: SyncPath) throws(AtomicWriterError) {
        do { try fs.rename(path, to: target.string) } catch { throw .fileSystem(error) }
    }

    /// ``place(_:over:)`` for a target the index holds nothing at: renamed only if nothing
    /// is at `target` (a file made there meanwhile is never replaced, and nothing needs looking
    /// at first). Returns what `lstat` shows at `target` right after; throws
    /// ``FileSystemError/exists`` (as ``AtomicWriterError/fileSystem(_:)``) when it is taken.
    public func placeNew(_ path: String, at target: SyncPath) throws(AtomicWriterError) -> FileInfo? {
        do { return try fs.renameNoReplace(path, to: target.string) } catch { throw .fileSystem(error) }
    }

    /// Closes and deletes an unfinished temp file.
    public func abandon(_ temp: TempFile) {
        temp.handle.close()
        try? fs.remove(temp.path)
    }
}
