// sync-bench: scan+hash throughput, chunk changes after an insert, SHA-256 and chunker speed,
// and engine-to-engine sync rate in process. Build in release:
//   swift build -c release --product sync-bench
//   contrib/bench/gen-dataset.sh /tmp/ds 0.25 && .build/release/sync-bench scan /tmp/ds
//   .build/release/sync-bench file /tmp/ds/large/l0.bin 5    (one thread, read sizes compared)
//   .build/release/sync-bench sizes /tmp/ds    (min/avg/max chunk sizes: speed and dedup)
//   .build/release/sync-bench insert 200
//   .build/release/sync-bench primitives
//   .build/release/sync-bench engine 256
//   .build/release/sync-bench disk 3000 0      # two engines on real folders + SQLite, in one thread
//   .build/release/sync-bench store 10000 16   # the index store calls of an initial sync, replayed (no file system)
//   .build/release/sync-bench compress 20000   # zstd chunk compression of text-like 4/16/64 KiB chunks
import Dispatch
import Foundation
import SyncEngine
import SyncFS
import SyncProtocol
import WireKit

/// CPU seconds used by the whole process so far (the machine is shared: wall time alone misleads).
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var lastCPUSeconds = 0.0

/// Wall seconds taken by `body`; the CPU seconds it used are left in `lastCPUSeconds`.
@MainActor func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Instant.monotonicNow()
    let cpu = processCPUSeconds()
    try body()
    lastCPUSeconds = processCPUSeconds() - cpu
    return (Instant.monotonicNow() - start).seconds
}

@MainActor func cpuRate(_ megabytes: Double) -> String { "\(String(format: "%.0f", megabytes / max(lastCPUSeconds, 1e-9))) MB per CPU-second" }

func listFiles(_ fs: LocalFileSystem, _ dir: String, into out: inout [(String, UInt64)]) {
    for name in (try? fs.list(dir)) ?? [] {
        let p = dir.isEmpty ? name : dir + "/" + name
        guard let info = try? fs.info(p) else { continue }
        if info.kind == .directory { listFiles(fs, p, into: &out) } else if info.kind == .file { out.append((p, info.size)) }
    }
}

/// Totals shared by the hashing threads; every access holds `lock`.
final class Totals: @unchecked Sendable {  // guarded by `lock`
    let lock = NSLock()
    var bytes: UInt64 = 0
    var files = 0
    var chunks = 0
    func add(bytes b: UInt64, chunks c: Int) { lock.lock(); bytes += b; files += 1; chunks += c; lock.unlock() }
}

@MainActor func hashFiles(root: String, files: [(String, UInt64)], threads: Int) -> (Double, Totals) {
    let totals = Totals()
    let t = seconds {
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let fs = LocalFileSystem(root: root)
            var i = worker
            while i < files.count {
                if let f = try? fs.openRead(files[i].0), let chunks = try? Chunker.standard.chunks(of: f, sizeHint: files[i].1) {
                    f.close()
                    totals.add(bytes: chunks.reduce(0) { $0 + UInt64($1.size) }, chunks: chunks.count)
                }
                i += threads
            }
        }
    }
    return (t, totals)
}

@MainActor func scanBench(_ root: String, threads: Int) {
    let fs = LocalFileSystem(root: root)
    var files: [(String, UInt64)] = []
    let walk = seconds { listFiles(fs, "", into: &files) }
    let small = files.filter { $0.1 < 1 << 20 }, large = files.filter { $0.1 >= 1 << 20 }
    print("walk: \(files.count) files in \(String(format: "%.3f", walk)) s")
    for (label, set) in [("small (<1 MiB)", small), ("large (>=1 MiB)", large)] where !set.isEmpty {
        let (t, totals) = hashFiles(root: root, files: set, threads: threads)
        let mb = Double(totals.bytes) / 1e6
        print("scan+hash \(label): \(totals.files) files, \(String(format: "%.1f", mb)) MB, \(totals.chunks) chunks in \(String(format: "%.3f", t)) s "
              + "= \(String(format: "%.0f", mb / t)) MB/s, \(String(format: "%.0f", Double(totals.files) / t)) files/s wall (\(threads) threads); "
              + "\(cpuRate(mb)), \(String(format: "%.0f", Double(totals.files) / max(lastCPUSeconds, 1e-9))) files per CPU-second")
    }
    // The scanner itself (walk, lstat, ignore rules, chunking + hashing on `threads` threads),
    // per top-level directory of the dataset and on the whole tree; each run twice, the second
    // timed (page cache warm), with an empty index (everything is hashed).
    for sub in ["large", "medium", "small", ""] {
        let dir = sub.isEmpty ? root : root + "/" + sub
        guard (try? fs.info(sub))?.kind == .directory || sub.isEmpty else { continue }
        let scanner = Scanner(fs: LocalFileSystem(root: dir), hashThreads: threads)
        var result = ScanResult()
        _ = scanner.scan(known: { _ in nil }, knownPaths: [])
        let t = seconds { result = scanner.scan(known: { _ in nil }, knownPaths: []) }
        let files = result.changed.filter { $0.state.kind == .file }.count
        print("Scanner.scan \(sub.isEmpty ? "whole tree" : sub) (\(threads) threads, empty index): \(files) files, "
              + "\(String(format: "%.1f", Double(result.hashedBytes) / 1e6)) MB in \(String(format: "%.3f", t)) s = "
              + "\(String(format: "%.0f", Double(result.hashedBytes) / 1e6 / t)) MB/s, \(String(format: "%.0f", Double(files) / t)) files/s wall; "
              + "\(cpuRate(Double(result.hashedBytes) / 1e6))")
    }
    // One large file alone: split over the threads (ParallelHasher), against one thread.
    if let big = large.max(by: { $0.1 < $1.1 }), big.1 >= 64 << 20 {
        for n in Set([1, threads]).sorted() {
            var chunks = 0
            let t = seconds { chunks = (try? ParallelHasher(fs: fs, threads: n).hash([(path: big.0, size: big.1)])[0].get())?.count ?? 0 }
            let mb = Double(big.1) / 1e6
            print("ParallelHasher one \(String(format: "%.0f", mb)) MB file (\(n) threads): \(chunks) chunks in \(String(format: "%.3f", t)) s = "
                  + "\(String(format: "%.0f", mb / t)) MB/s wall; \(cpuRate(mb))")
        }
    }
    let scanner = Scanner(fs: fs, hashThreads: threads)
    let result = scanner.scan(known: { _ in nil }, knownPaths: [])
    var states: [SyncPath: LocalFileState] = [:]
    for e in result.changed { states[e.path] = e.state }
    var rescan = ScanResult()
    let t3 = seconds { rescan = scanner.scan(known: { states[$0] }, knownPaths: Array(states.keys)) }
    print("Scanner.scan (warm index, nothing changed; size/mtime/inode/ctime skip): \(rescan.unchanged) entries in \(String(format: "%.3f", t3)) s = "
          + "\(String(format: "%.0f", Double(rescan.unchanged) / t3)) entries/s, \(rescan.hashedBytes) bytes hashed")
}

@MainActor func insertBench(megabytes: Int) {
    var rng = SeededRandom(seed: 42)
    var data = rng.bytes(megabytes << 20)
    let before = Chunker.standard.chunks(of: data)
    data.insert(contentsOf: rng.bytes(1024), at: data.count / 2)
    var after: [ChunkInfo] = []
    let t = seconds { after = Chunker.standard.chunks(of: data) }
    let old = Set(before.map(\.hash))
    let changed = after.filter { !old.contains($0.hash) }
    print("insert 1 KiB in the middle of \(megabytes) MiB: \(before.count) -> \(after.count) chunks, \(changed.count) changed, "
          + "\(changed.reduce(0) { $0 + Int($1.size) }) bytes to transfer (chunking took \(String(format: "%.3f", t)) s, "
          + "\(String(format: "%.0f", Double(data.count) / 1e6 / t)) MB/s wall one thread, \(cpuRate(Double(data.count) / 1e6)))")
}

@MainActor func primitives() {
    var rng = SeededRandom(seed: 1)
    let buf = rng.bytes(64 << 20)
    var sink = ContentHash.zero
    let sha = seconds { buf.withUnsafeBytes { b in for i in stride(from: 0, to: b.count, by: 1 << 20) { sink = SHA256Hasher.opensslHash(UnsafeRawBufferPointer(rebasing: b[i..<(i + (1 << 20))])) } } }
    print("SHA-256 (OpenSSL EVP, 1 MiB blocks): \(String(format: "%.0f", 64 * 1.048576 / sha)) MB/s wall, \(cpuRate(64 * 1.048576))")
    // 72 KiB pieces: about the average chunk.
    let piece = 72 << 10, pieces = buf.count / piece
    let one = seconds { buf.withUnsafeBytes { b in for k in 0..<pieces { sink = SHA256Hasher.hash(UnsafeRawBufferPointer(rebasing: b[(k * piece)..<((k + 1) * piece)])) } } }
    let mb = Double(pieces * piece) / 1e6
    print("SHA-256 (\(SHA256Hasher.hardware ? "SHA-NI" : "OpenSSL") one-shot, 72 KiB chunks): \(String(format: "%.0f", mb / one)) MB/s wall, \(cpuRate(mb))")
    let two = seconds {
        buf.withUnsafeBytes { b in
            for k in stride(from: 0, to: pieces - 1, by: 2) {
                (sink, _) = SHA256Hasher.hash(UnsafeRawBufferPointer(rebasing: b[(k * piece)..<((k + 1) * piece)]),
                                              UnsafeRawBufferPointer(rebasing: b[((k + 1) * piece)..<((k + 2) * piece)]))
            }
        }
    }
    let mb2 = Double(pieces / 2 * 2 * piece) / 1e6
    print("SHA-256 (\(SHA256Hasher.hardware ? "SHA-NI" : "OpenSSL"), two 72 KiB chunks at once): \(String(format: "%.0f", mb2 / two)) MB/s wall, \(cpuRate(mb2))")
    var cuts = 0
    let cdc = seconds {
        buf.withUnsafeBytes { b in
            var pos = 0
            while pos < b.count { pos += Chunker.standard.cutPoint(UnsafeRawBufferPointer(rebasing: b[pos...])); cuts += 1 }
        }
    }
    print("FastCDC cut points only: \(String(format: "%.0f", 64 * 1.048576 / cdc)) MB/s wall, \(cpuRate(64 * 1.048576)) (\(cuts) chunks, avg \(buf.count / max(cuts, 1)) B)")
    let both = seconds { _ = Chunker.standard.chunks(of: buf) }
    print("chunk + SHA-256 (one thread): \(String(format: "%.0f", 64 * 1.048576 / both)) MB/s wall, \(cpuRate(64 * 1.048576))\(sink.description.prefix(0))")
}

@MainActor func engineBench(megabytes: Int) throws {
    let a = InMemoryFileSystem(), b = InMemoryFileSystem()
    var rng = SeededRandom(seed: 9)
    let files = max(1, megabytes / 4)
    for i in 0..<files { try a.writeAll("f\(i).bin", rng.bytes(4 << 20)) }
    let ea = try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: "A"), fs: a, store: MemoryIndexStore(), newIndexID: 1)
    let eb = try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: "B"), fs: b, store: MemoryIndexStore(), newIndexID: 2)
    ea.scan(now: .zero)
    var bytes = 0
    let t = seconds {
        ea.connect(peer: "B", now: .zero)
        eb.connect(peer: "A", now: .zero)
        var moved = true
        while moved {
            moved = false
            while let m = ea.pollTransmit() { bytes += m.bytes.count; eb.handle(bytes: m.bytes, from: "A", now: .zero); moved = true }
            while let m = eb.pollTransmit() { bytes += m.bytes.count; ea.handle(bytes: m.bytes, from: "B", now: .zero); moved = true }
        }
    }
    let ok = (0..<files).allSatisfy { (try? b.readAll("f\($0).bin", limit: 8 << 20)) == (try? a.readAll("f\($0).bin", limit: 8 << 20)) }
    print("engine to engine (in process, in-memory FS, frames encoded+decoded, hashes verified): \(files * 4) MiB in "
          + "\(String(format: "%.3f", t)) s = \(String(format: "%.0f", Double(files * 4) * 1.048576 / t)) MB/s wall, \(cpuRate(Double(files * 4) * 1.048576)), \(bytes) wire bytes, identical: \(ok)")
}

/// One file read, chunked and hashed on this thread with several read sizes, alternating, best
/// of `rounds` (per-core rate; the page cache must already hold the file).
@MainActor func fileBench(_ path: String, rounds: Int) {
    let fs = LocalFileSystem(root: "/")
    let rel = String(path.drop { $0 == "/" })
    guard let size = (try? fs.info(rel))?.size else { print("cannot stat \(path)"); exit(1) }
    let mb = Double(size) / 1e6
    var best: [Int: (wall: Double, cpu: Double)] = [:]
    let sizes = [256 << 10, 1 << 20, 4 << 20]
    for _ in 0..<rounds {
        for readSize in sizes {
            let chunker = Chunker(minSize: 16 << 10, averageSize: 64 << 10, maxSize: 256 << 10, readSize: readSize)
            var buffer: [UInt8] = []
            let t = seconds {
                if let f = try? fs.openRead(rel) { _ = try? chunker.chunks(of: f, sizeHint: size, buffer: &buffer); f.close() }
            }
            let old = best[readSize] ?? (1e9, 1e9)
            best[readSize] = (min(old.wall, t), min(old.cpu, lastCPUSeconds))
        }
    }
    for readSize in sizes {
        let b = best[readSize] ?? (1, 1)
        print("read+chunk+hash one thread, \(readSize >> 10) KiB reads, best of \(rounds): \(String(format: "%.0f", mb / b.wall)) MB/s wall, "
              + "\(String(format: "%.0f", mb / b.cpu)) MB per CPU-second (\(String(format: "%.1f", mb)) MB)")
    }
}

/// Chunk-size parameters compared: speed (cut points, chunk + hash, one thread, best of 3) and
/// dedup (1 KiB inserts into 200 MiB at five places; 16 B–4 KiB appended to 100 of the dataset's
/// small files, as in sync-compare's edit set).
@MainActor func sizesBench(_ root: String?) {
    var rng = SeededRandom(seed: 5)
    let big = rng.bytes(200 << 20)
    var smallFiles: [[UInt8]] = []
    if let root {
        let fs = LocalFileSystem(root: root)
        var files: [(String, UInt64)] = []
        listFiles(fs, "small", into: &files)
        for (k, f) in files.sorted(by: { $0.0 < $1.0 }).enumerated() where k % 100 == 0 {
            if let bytes = try? fs.readAll(f.0, limit: 1 << 20) { smallFiles.append(bytes) }
        }
    }
    let variants = [(16, 64, 256), (32, 64, 256), (48, 64, 256), (64, 128, 512), (128, 256, 1024)]
    for (lo, avg, hi) in variants {
        let chunker = Chunker(minSize: lo << 10, averageSize: avg << 10, maxSize: hi << 10)
        var cutCPU = 1e9, bothCPU = 1e9
        var before: [ChunkInfo] = []
        for _ in 0..<3 {
            _ = seconds {
                big.withUnsafeBytes { b in
                    var pos = 0
                    while pos < 64 << 20 { pos += chunker.cutPoint(UnsafeRawBufferPointer(rebasing: b[pos..<(64 << 20)])) }
                }
            }
            cutCPU = min(cutCPU, lastCPUSeconds)
            _ = seconds { before = chunker.chunks(of: big) }
            bothCPU = min(bothCPU, lastCPUSeconds)
        }
        let old = Set(before.map(\.hash))
        var rng = SeededRandom(seed: 6)   // the same edits for every variant
        var changedChunks = 0, changedBytes = 0
        for place in 1...5 {
            var edited = big
            edited.insert(contentsOf: rng.bytes(1024), at: big.count / 6 * place)
            let new = chunker.chunks(of: edited).filter { !old.contains($0.hash) }
            changedChunks += new.count
            changedBytes += new.reduce(0) { $0 + Int($1.size) }
        }
        var appendBytes = 0, appendTotal = 0
        for file in smallFiles {
            let known = Set(chunker.chunks(of: file).map(\.hash))
            let appended = file + rng.bytes(Int(rng.next() % 4081) + 16)
            appendTotal += appended.count
            appendBytes += chunker.chunks(of: appended).filter { !known.contains($0.hash) }.reduce(0) { $0 + Int($1.size) }
        }
        print("\(lo)/\(avg)/\(hi) KiB: cut points \(String(format: "%.0f", 64 * 1.048576 / cutCPU)) MB per CPU-second, "
              + "chunk + SHA-256 \(String(format: "%.0f", Double(big.count) / 1e6 / bothCPU)) MB per CPU-second, "
              + "average chunk \(big.count / max(before.count, 1)) B; 1 KiB insert (mean of 5): "
              + "\(String(format: "%.1f", Double(changedChunks) / 5)) chunks, \(changedBytes / 5) bytes to transfer; "
              + "\(smallFiles.count) small files appended to: \(appendBytes) of \(appendTotal) bytes to transfer")
    }
}

let args = CommandLine.arguments.dropFirst()
switch args.first {
case "scan":
    guard let dir = args.dropFirst().first else { print("usage: sync-bench scan DIR [THREADS]"); exit(2) }
    scanBench(dir, threads: args.dropFirst(2).first.flatMap { Int($0) } ?? 2)
case "file":
    guard let path = args.dropFirst().first else { print("usage: sync-bench file PATH [ROUNDS]"); exit(2) }
    fileBench(path, rounds: args.dropFirst(2).first.flatMap { Int($0) } ?? 5)
case "sizes": sizesBench(args.dropFirst().first)
case "insert": insertBench(megabytes: args.dropFirst().first.flatMap { Int($0) } ?? 200)
case "primitives": primitives()
case "engine": try engineBench(megabytes: args.dropFirst().first.flatMap { Int($0) } ?? 256)
case "compress":
    for size in [4 << 10, 16 << 10, 64 << 10] { compressionBench(size: size, count: args.dropFirst().first.flatMap { Int($0) } ?? 20_000) }
case "store": try storeBench(files: args.dropFirst().first.flatMap { Int($0) } ?? 10_000, placeBatch: args.dropFirst(2).first.flatMap { Int($0) } ?? 16)
case "disk": try diskSyncBench(files: args.dropFirst().first.flatMap { Int($0) } ?? 3000, largeMiB: args.dropFirst(2).first.flatMap { Int($0) } ?? 0)
default:
    print("usage: sync-bench scan DIR [THREADS] | file PATH [ROUNDS] | sizes [DATASET] | insert [MiB] | primitives | engine [MiB] | disk [SMALL FILES] [LARGE MiB] | store [FILES] [PLACE BATCH] | compress [COUNT]")
    exit(2)
}
