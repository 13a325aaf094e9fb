import SyncFS
import SyncProtocol
import WireKit

extension FolderEngine {
    /// Removes a file a peer deleted, keeping its content reusable a while (see
    /// ``HeldContent``): it is renamed into `.peersync/held/` (one rename: a crash leaves it
    /// there or at its path, whole) and its chunks are remembered. Falls back to removing it when
    /// it has no chunk list, too many files are held, or the rename fails.
    func holdDeleted(_ path: SyncPath, record: FileRecord?) throws(FileSystemError) {
        guard let chunks = holdableChunks(record) else {
            try fs.remove(path.string)
            return
        }
        clearHeldLeftovers()
        held.nextID += 1
        let dest = HeldContent.directory + "/\(held.nextID)"
        do {
            try fs.makeDirectories(HeldContent.directory)
            try fs.rename(path.string, to: dest)
        } catch {
            try fs.remove(path.string)
            return
        }
        remember(chunks, at: dest, removeAtExpiry: true)
    }

    /// Keeps the chunks of a file a peer deleted that versioning moved to `versionPath`
    /// reusable for the hold time, as ``holdDeleted(_:record:)`` does (the version itself stays).
    func rememberVersioned(_ versionPath: String, record: FileRecord?) {
        guard let chunks = holdableChunks(record) else { return }
        remember(chunks, at: versionPath, removeAtExpiry: false)
    }

    /// The chunks of `record` when its content may be held: a live, non-empty file with a chunk
    /// list, within ``HeldContent/fileLimit`` and ``HeldContent/chunkLimit``.
    func holdableChunks(_ record: FileRecord?) -> [ChunkInfo]? {
        guard let r = record, r.kind == .file, !r.deleted, r.size > 0, held.files.count < HeldContent.fileLimit,
              let list = withChunkList(r), !list.chunks.isEmpty,
              held.chunks.count + list.chunks.count <= HeldContent.chunkLimit else { return nil }
        return list.chunks
    }

    /// Records where `chunks` lie in `file`, until the hold time is over.
    func remember(_ chunks: [ChunkInfo], at file: String, removeAtExpiry: Bool) {
        var offset: UInt64 = 0
        for c in chunks {
            held.chunks[c.hash] = HeldContent.Location(file: file, offset: offset)
            offset += UInt64(c.size)
        }
        held.files.append((file, chunks.map(\.hash), clock + config.deletedContentHold, removeAtExpiry))
    }

    /// A chunk's bytes from a held file (verified), or nil.
    func heldChunk(_ c: ChunkInfo) -> [UInt8]? {
        guard let at = held.chunks[c.hash] else { return nil }
        return verifiedChunk(c, in: at.file, at: at.offset)
    }

    /// Removes the held files whose time is up.
    func purgeHeld(now: Instant) {
        var n = 0
        while n < held.files.count, held.files[n].expires <= now { n += 1 }
        guard n > 0 else { return }
        for f in held.files.prefix(n) {
            if f.removeAtExpiry { try? fs.remove(f.path) }
            for h in f.hashes where held.chunks[h]?.file == f.path { held.chunks[h] = nil }
        }
        held.files.removeFirst(n)
    }

    /// Removes what an earlier run (crashed, or stopped within the hold time) left held; once per engine.
    func clearHeldLeftovers() {
        guard !held.cleared else { return }
        held.cleared = true
        if (try? fs.info(HeldContent.directory)) != nil { try? fs.removeRecursively(HeldContent.directory) }
    }
}
