#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import SyncProtocol

/// Chunks and hashes a batch of files on several threads.
///
/// Work is handed out one piece at a time from a shared counter, largest first (so the threads
/// do not end with one of them still hashing a big file while the others idle); every thread
/// keeps two read buffers for the whole batch. A file of at most ``Chunker/maxSize`` bytes is
/// read whole, and a thread hashes two such files together (their chunks two at a time, with
/// SHA-NI's interleaved streams). A file larger than its share of the batch
/// (`size > total / threads`, and at least ``splitMinimum``) is chunked as several pieces on
/// several threads: each piece starts at its own offset and runs ``splitOverlap`` bytes into the
/// next one; since a cut depends only on the content after the previous cut, the pieces are
/// joined at the first cut the overlap shares, giving exactly the chunks of one sequential pass
/// (if no cut is shared, the rest of the file is chunked sequentially). Results come back in the
/// order of the jobs.
public struct ParallelHasher {
    /// The file system (it must allow concurrent reads when `threads` > 1).
    public let fs: any FileSystem
    /// The chunker.
    public let chunker: Chunker
    /// Worker threads.
    public let threads: Int
    /// Smallest file split over threads; pieces are at least this long, too.
    public var splitMinimum: UInt64 = 32 << 20
    /// How far a piece runs into the next one to find a shared cut.
    public var splitOverlap: UInt64 = 2 << 20

    /// Online CPU cores.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A hasher; `threads` is clamped to at least one.
    public init(fs: any FileSystem, chunker: Chunker = .standard, threads: Int) {
        self.fs = fs; self.chunker = chunker; self.threads = max(1, threads)
    }

    /// One unit of work: bytes `start ..< stop` (nil: to the end) of job `job`'s file.
    struct Piece {
        var job: Int
        var start: UInt64
        var stop: UInt64?
        var size: UInt64
    }

    /// The pieces of a batch, largest first.
    func pieces(_ jobs: [(path: String, size: UInt64)]) -> [Piece] {
        let total = jobs.reduce(UInt64(0)) { $0 + $1.size }
        let share = total / UInt64(threads)
        var out: [Piece] = []
        for (i, job) in jobs.enumerated() {
            guard threads > 1, job.size > share, job.size >= 2 * splitMinimum else {
                out.append(Piece(job: i, start: 0, stop: nil, size: job.size))
                continue
            }
            // About two pieces per thread, each at least `splitMinimum`.
            let count = max(2, min(UInt64(2 * threads), job.size / splitMinimum))
            let length = job.size / count
            for k in 0..<count {
                let start = k * length
                let stop: UInt64? = k + 1 == count ? nil : start + length + splitOverlap
                out.append(Piece(job: i, start: start, stop: stop, size: length))
            }
        }
        return out.enumerated().sorted { a, b in
            a.element.size != b.element.size ? a.element.size > b.element.size : a.offset < b.offset
        }.map(\.element)
    }

    /// The chunks of each job's file (its size from lstat sizes the buffer), or the error that stopped it.
    public func hash(_ jobs: [(path: String, size: UInt64)]) -> [Result<[ChunkInfo], FileSystemError>] {
        let work = Work(fs: fs, chunker: chunker, jobs: jobs, pieces: pieces(jobs))
        let n = min(threads, work.pieces.count)
        if n <= 1 {
            work.run()
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { _ in work.run() }
        }
        let outcomes = work.results
        var byJob: [[(start: UInt64, result: Result<[ChunkInfo], FileSystemError>)]] = Array(repeating: [], count: jobs.count)
        for (k, piece) in work.pieces.enumerated() {
            byJob[piece.job].append((piece.start, outcomes[k] ?? .failure(FileSystemError(code: FileSystemError.io, operation: "hash", path: jobs[piece.job].path))))
        }
        return byJob.enumerated().map { i, parts in
            Result { () throws(FileSystemError) -> [ChunkInfo] in
                try join(parts.sorted { $0.start < $1.start }, path: jobs[i].path, size: jobs[i].size)
            }
        }
    }

    /// Joins the pieces of one file at the first cut each overlap shares with the next piece.
    func join(_ parts: [(start: UInt64, result: Result<[ChunkInfo], FileSystemError>)], path: String,
              size: UInt64) throws(FileSystemError) -> [ChunkInfo] {
        guard let first = parts.first else { return [] }
        var chunks = try first.result.get()
        for part in parts.dropFirst() {
            let next = try part.result.get()
            // Cut positions (ends) of the next piece, and where each of its chunks ends.
            var ends: [UInt64: Int] = [:]
            var position = part.start
            for (k, c) in next.enumerated() { position += UInt64(c.size); ends[position] = k }
            position = 0
            var joined = false
            for (k, c) in chunks.enumerated() {
                position += UInt64(c.size)
                if position < part.start { continue }
                // A cut at the piece's start, or one the piece also made: from there on the piece's chunks are the file's.
                let from = position == part.start ? 0 : ends[position].map { $0 + 1 }
                if let from {
                    chunks.removeSubrange((k + 1)...)
                    chunks.append(contentsOf: next[from...])
                    joined = true
                    break
                }
            }
            if !joined {
                // No shared cut in the overlap: the rest of the file in one sequential pass.
                let end = chunks.reduce(UInt64(0)) { $0 + UInt64($1.size) }
                let f = try fs.openRead(path)
                defer { f.close() }
                var buffer: [UInt8] = []
                chunks += try chunker.chunks(of: f, from: end, stoppingAt: nil, sizeHint: size - min(size, end), buffer: &buffer)
                return chunks
            }
        }
        return chunks
    }

    /// The shared state of one batch. `@unchecked Sendable`: `next` is atomic; each `out`
    /// slot is written by the one thread that took its index and read after `concurrentPerform`
    /// returns; `fs` is only shared when it declares `supportsConcurrentReads`.
    final class Work: @unchecked Sendable {
        let fs: any FileSystem
        let chunker: Chunker
        let jobs: [(path: String, size: UInt64)]
        /// The work, largest piece first.
        let pieces: [Piece]
        let out: UnsafeMutableBufferPointer<Result<[ChunkInfo], FileSystemError>?>
        let next = Atomic<Int>(0)

        init(fs: any FileSystem, chunker: Chunker, jobs: [(path: String, size: UInt64)], pieces: [Piece]) {
            self.fs = fs; self.chunker = chunker; self.jobs = jobs; self.pieces = pieces
            out = .allocate(capacity: pieces.count)
            out.initialize(repeating: nil)
        }

        deinit {
            out.deinitialize()
            out.deallocate()
        }

        var results: [Result<[ChunkInfo], FileSystemError>?] { Array(out) }

        func run() {
            var buffer: [UInt8] = []
            // A small file read whole into `held`, waiting for a second one to be hashed with it.
            var held: [UInt8] = []
            var waiting: (index: Int, count: Int)?
            defer {
                if let w = waiting {
                    out[w.index] = .success(held.withUnsafeBytes { chunker.chunks(of: UnsafeRawBufferPointer(rebasing: $0[..<w.count])) })
                }
            }
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < pieces.count else { return }
                let piece = pieces[i]
                let job = jobs[piece.job]
                guard piece.start == 0, piece.stop == nil, job.size <= UInt64(chunker.maxSize) else {
                    hashStreaming(i, job, piece, &buffer)
                    continue
                }
                // Small files (pieces come largest first, so these come last) are read whole and
                // hashed in pairs: SHA-NI hashes two interleaved streams for little more than the
                // cost of one, and most files are one chunk.
                let read: Result<Int?, FileSystemError>
                if waiting == nil { read = readSmall(job, into: &held) } else { read = readSmall(job, into: &buffer) }
                switch read {
                case .failure(let error):
                    out[i] = .failure(error)
                case .success(nil):
                    hashStreaming(i, job, piece, &buffer)   // it grew past the size seen: read it in pieces
                case .success(let count?):
                    guard let w = waiting else { waiting = (i, count); continue }
                    let (a, b) = held.withUnsafeBytes { h in
                        buffer.withUnsafeBytes { chunker.chunks(of: UnsafeRawBufferPointer(rebasing: h[..<w.count]), UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                    }
                    out[w.index] = .success(a)
                    out[i] = .success(b)
                    waiting = nil
                }
            }
        }

        /// Reads a whole file of at most ``Chunker/maxSize`` bytes (as lstat saw it) into the
        /// start of `buffer`: its byte count, or nil when it holds more by now.
        func readSmall(_ job: (path: String, size: UInt64), into buffer: inout [UInt8]) -> Result<Int?, FileSystemError> {
            Result { () throws(FileSystemError) -> Int? in
                let f = try fs.openRead(job.path)
                defer { f.close() }
                let room = Int(job.size) + 1
                if buffer.count < room { buffer = [UInt8](repeating: 0, count: max(room, min(2 * buffer.count, chunker.maxSize + 1))) }
                let n = try buffer.withUnsafeMutableBytes { b in
                    Result { () throws(FileSystemError) -> Int in try f.readFully(at: 0, into: UnsafeMutableRawBufferPointer(rebasing: b[..<room])) }
                }.get()
                return n > Int(job.size) ? nil : n
            }
        }

        /// Chunks piece `i` reading through `buffer`.
        func hashStreaming(_ i: Int, _ job: (path: String, size: UInt64), _ piece: Piece, _ buffer: inout [UInt8]) {
            do {
                let f = try fs.openRead(job.path)
                defer { f.close() }
                let hint = piece.stop.map { $0 - piece.start } ?? (job.size - min(job.size, piece.start))
                out[i] = .success(try chunker.chunks(of: f, from: piece.start, stoppingAt: piece.stop, sizeHint: hint, buffer: &buffer))
            } catch {
                out[i] = .failure(error)
            }
        }
    }
}
