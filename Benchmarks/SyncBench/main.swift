// sync-bench: scan+hash throughput, chunk changes after an insert, SHA-256 and chunker speed,
// and engine-to-engine sync rate in process. Build in release:
//   swift build -c release --product sync-bench
//   contrib/bench/gen-dataset.sh /tmp/ds 0.25 && .build/release/sync-bench scan /tmp/ds
//   .build/release/sync-bench insert 200
//   .build/release/sync-bench primitives
//   .build/release/sync-bench engine 256
//   .build/release/sync-bench disk 3000 0      # two engines on real folders + SQLite, in one thread
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
    let sha = seconds { buf.withUnsafeBytes { b in for i in stride(from: 0, to: b.count, by: 1 << 20) { sink = SHA256Hasher.hash(UnsafeRawBufferPointer(rebasing: b[i..<(i + (1 << 20))])) } } }
    print("SHA-256 (OpenSSL EVP, 1 MiB blocks): \(String(format: "%.0f", 64 * 1.048576 / sha)) MB/s wall, \(cpuRate(64 * 1.048576))")
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

let args = CommandLine.arguments.dropFirst()
switch args.first {
case "scan":
    guard let dir = args.dropFirst().first else { print("usage: sync-bench scan DIR [THREADS]"); exit(2) }
    scanBench(dir, threads: args.dropFirst(2).first.flatMap { Int($0) } ?? 2)
case "insert": insertBench(megabytes: args.dropFirst().first.flatMap { Int($0) } ?? 200)
case "primitives": primitives()
case "engine": try engineBench(megabytes: args.dropFirst().first.flatMap { Int($0) } ?? 256)
case "disk": try diskSyncBench(files: args.dropFirst().first.flatMap { Int($0) } ?? 3000, largeMiB: args.dropFirst(2).first.flatMap { Int($0) } ?? 0)
default:
    print("usage: sync-bench scan DIR [THREADS] | insert [MiB] | primitives | engine [MiB] | disk [SMALL FILES] [LARGE MiB]")
    exit(2)
}
