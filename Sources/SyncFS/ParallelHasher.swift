#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import SyncProtocol

/// Chunks and hashes a batch of files on several threads.
///
/// Files are handed out one at a time from a shared counter, largest first (so the threads do
/// not end with one of them still hashing a big file while the others idle); every thread keeps
/// one read buffer for the whole batch.
/// Results come back in the order of the jobs.
public struct ParallelHasher {
    /// The file system (it must allow concurrent reads when `threads` > 1).
    public let fs: any FileSystem
    /// The chunker.
    public let chunker: Chunker
    /// Worker threads.
    public let threads: Int

    /// Online CPU cores.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A hasher; `threads` is clamped to at least one.
    public init(fs: any FileSystem, chunker: Chunker = .standard, threads: Int) {
        self.fs = fs; self.chunker = chunker; self.threads = max(1, threads)
    }

    /// The chunks of each job's file (its size from lstat sizes the buffer), or the error that stopped it.
    public func hash(_ jobs: [(path: String, size: UInt64)]) -> [Result<[ChunkInfo], FileSystemError>] {
        let work = Work(fs: fs, chunker: chunker, jobs: jobs)
        let n = min(threads, jobs.count)
        if n <= 1 {
            work.run()
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { _ in work.run() }
        }
        return work.results.map { $0 ?? .failure(FileSystemError(code: FileSystemError.io, operation: "hash", path: "")) }
    }

    /// The shared state of one batch. `@unchecked Sendable`: `next` is atomic; each `out`
    /// slot is written by the one thread that took its index and read after `concurrentPerform`
    /// returns; `fs` is only shared when it declares `supportsConcurrentReads`.
    final class Work: @unchecked Sendable {
        let fs: any FileSystem
        let chunker: Chunker
        let jobs: [(path: String, size: UInt64)]
        /// Job indices, largest file first.
        let order: [Int]
        let out: UnsafeMutableBufferPointer<Result<[ChunkInfo], FileSystemError>?>
        let next = Atomic<Int>(0)

        init(fs: any FileSystem, chunker: Chunker, jobs: [(path: String, size: UInt64)]) {
            self.fs = fs; self.chunker = chunker; self.jobs = jobs
            order = jobs.indices.sorted { jobs[$0].size != jobs[$1].size ? jobs[$0].size > jobs[$1].size : $0 < $1 }
            out = .allocate(capacity: jobs.count)
            out.initialize(repeating: nil)
        }

        deinit {
            out.deinitialize()
            out.deallocate()
        }

        var results: [Result<[ChunkInfo], FileSystemError>?] { Array(out) }

        func run() {
            var buffer: [UInt8] = []
            while true {
                let taken = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard taken < jobs.count else { return }
                let i = order[taken]
                let job = jobs[i]
                do {
                    let f = try fs.openRead(job.path)
                    defer { f.close() }
                    out[i] = .success(try chunker.chunks(of: f, sizeHint: job.size, buffer: &buffer))
                } catch {
                    out[i] = .failure(error)
                }
            }
        }
    }
}
