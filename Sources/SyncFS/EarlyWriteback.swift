#if canImport(Glibc)
import Glibc
#endif
import CPlatform

/// A writable file that can start writing a range of its dirty pages to disk without waiting
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`).
///
/// ``AtomicWriter`` calls it every few MiB while it fills a large temp file, so the disk writes
/// the file while it is still being received and the fsync or `syncfs` that makes it durable
/// later finds little dirty data: one round covering 600 MiB of large files took 2.3 s and held
/// back every small file that finished meanwhile. It promises nothing about durability (only an
/// fsync does), so a crash between it and the rename still leaves the target old.
public protocol WritebackStarting {
    /// Starts writeback of `count` bytes at `offset`; errors are left to the later fsync, which
    /// reports them.
    func startWriteback(offset: UInt64, count: UInt64)

    /// Drops the clean cached pages of `count` bytes at `offset` (`count` 0: to the end): pages
    /// still dirty or under writeback stay. Changes nothing a read returns.
    func dropCached(offset: UInt64, count: UInt64)
}

/// A file system that can drop the cached pages of a whole file (the daemon's
/// ``BackgroundFileSyncer`` calls it for each pulled file it has made durable).
public protocol CachedPagesDropping {
    /// Drops the clean cached pages of the file at `path`; failures are ignored (it is advice).
    func dropCachedPages(of path: String)
}

extension LocalFileSystem.Handle: WritebackStarting {
    /// ``WritebackStarting`` requirement: `sync_file_range(SYNC_FILE_RANGE_WRITE)`.
    func startWriteback(offset: UInt64, count: UInt64) {
        _ = cplatform_start_writeback(fd, Int64(offset), Int64(count))
    }

    /// ``WritebackStarting`` requirement: `posix_fadvise(POSIX_FADV_DONTNEED)`.
    func dropCached(offset: UInt64, count: UInt64) {
        _ = cplatform_drop_cached(fd, Int64(offset), Int64(count))
    }
}

extension LocalFileSystem: CachedPagesDropping {
    /// ``CachedPagesDropping`` requirement: opens the file, `posix_fadvise(POSIX_FADV_DONTNEED)`
    /// over all of it, closes it.
    public func dropCachedPages(of path: String) {
        guard let file = try? openRead(path) as? Handle else { return }
        file.dropCached(offset: 0, count: 0)
        file.close()
    }
}

extension InMemoryFileSystem.Writer: WritebackStarting {
    /// ``WritebackStarting`` requirement: a `"writeback"` step the fault hook sees; the range
    /// becomes durable in the temp file (what a power cut may keep of early-written data: the
    /// pessimistic case, since the bytes survive though the file was never fsynced).
    func startWriteback(offset: UInt64, count: UInt64) {
        do throws(FileSystemError) { try fs.mutate("writeback", path) } catch { return }
        fs.cacheAdvice.append(.init(kind: "writeback", path: path, offset: offset, count: count))
        let start = min(Int(offset), node.data.count), end = min(Int(offset + count), node.data.count)
        guard start < end else { return }
        if node.durableData.count < end { node.durableData += [UInt8](repeating: 0, count: end - node.durableData.count) }
        node.durableData.replaceSubrange(start..<end, with: node.data[start..<end])
    }

    /// ``WritebackStarting`` requirement: a `"drop-cache"` step the fault hook sees, recorded in
    /// ``InMemoryFileSystem/cacheAdvice``; contents and durability stay as they are.
    func dropCached(offset: UInt64, count: UInt64) {
        do throws(FileSystemError) { try fs.mutate("drop-cache", path) } catch { return }
        fs.cacheAdvice.append(.init(kind: "drop", path: path, offset: offset, count: count))
    }
}

extension InMemoryFileSystem: CachedPagesDropping {
    /// ``CachedPagesDropping`` requirement: a `"drop-cache"` step and a whole-file entry in
    /// ``cacheAdvice``.
    public func dropCachedPages(of path: String) {
        do throws(FileSystemError) { try mutate("drop-cache", path) } catch { return }
        cacheAdvice.append(.init(kind: "drop", path: path, offset: 0, count: 0))
    }
}
