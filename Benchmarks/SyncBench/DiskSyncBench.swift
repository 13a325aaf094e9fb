import Foundation
import SyncEngine
import SyncFS
import SyncProtocol
import SyncStore
import WireKit

/// CPU seconds of the calling thread so far.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// User and system CPU seconds of the calling thread so far: the kernel's share (inode
/// allocation above all) varies from run to run with the file system's state, the user share
/// much less, so an A/B of the engine's own work compares the user seconds.
func threadUserSystemSeconds() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(__rusage_who_t(1) /* RUSAGE_THREAD, a GNU name Glibc does not export */, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

/// Two engines in one thread on real folders and SQLite indexes, as the daemon runs them (the
/// receiver flushes with a ``BackgroundFileSyncer`` and a ``FileSystemFlusher``), frames passed
/// directly: what a pull costs each side without the transport. `files` small files of
/// 1–64 KiB in 100 directories (the sync-compare dataset's small part) and `largeMiB` MiB in
/// two large files.
@MainActor func diskSyncBench(files: Int, largeMiB: Int) throws {
    let base = FileManager.default.temporaryDirectory.path + "/sync-bench-disk-\(getpid())"
    let rootA = base + "/a", rootB = base + "/b"
    for d in [rootA, rootB] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    defer { try? FileManager.default.removeItem(atPath: base) }
    let fsA = LocalFileSystem(root: rootA), fsB = LocalFileSystem(root: rootB)
    var rng = SeededRandom(seed: 20261126)
    for i in 0..<files {
        let dir = String(format: "small/d%02d", i % 100)
        try fsA.makeDirectories(dir)
        try fsA.writeAll(dir + String(format: "/f%05d.bin", i), rng.bytes(1024 + Int(rng.next() % UInt64(63 << 10))))
    }
    if largeMiB > 0 {
        try fsA.makeDirectories("large")
        for i in 0..<2 {
            let f = try fsA.openWrite("large/l\(i).bin", create: true, permissions: 0o644)
            for m in 0..<(largeMiB / 2) { try f.write(rng.bytes(1 << 20), at: UInt64(m) << 20) }
            f.close()
        }
    }
    let storeA = SQLiteIndexStore(database: try SyncDatabase(path: base + "/a.sqlite"))
    let storeB = SQLiteIndexStore(database: try SyncDatabase(path: base + "/b.sqlite"))
    let flusher = try FileSystemFlusher(root: rootB)
    let syncer = BackgroundFileSyncer(threads: 4, sync: { p throws(FileSystemError) in try fsB.syncFile(p) },
                                      syncAll: { () throws(FileSystemError) in try flusher.syncAll() },
                                      syncDirectory: { p throws(FileSystemError) in try fsB.syncDirectory(p) },
                                      writeFile: { w throws(FileSystemError) in try w.perform(on: fsB) })
    let ea = try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: "A"), fs: fsA, store: storeA, newIndexID: 1)
    let eb = try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: "B"), fs: fsB, store: storeB, newIndexID: 2, syncer: syncer)
    var cpuA = 0.0, cpuB = 0.0
    var userA = 0.0, userB = 0.0
    /// Runs `body` on the sender's (A's) or the receiver's account.
    func timed(sender: Bool, _ body: () -> Void) {
        let t0 = threadCPUSeconds(), u0 = threadUserSystemSeconds().user
        body()
        let cpu = threadCPUSeconds() - t0, user = threadUserSystemSeconds().user - u0
        if sender { cpuA += cpu; userA += user } else { cpuB += cpu; userB += user }
    }
    let scanWall = seconds { timed(sender: true) { ea.scan(now: .monotonicNow()) } }
    let scanCPU = cpuA
    cpuA = 0
    userA = 0
    eb.scan(now: .monotonicNow())
    var frames = 0, bytes = 0
    let process0 = processCPUSeconds()
    let wall = seconds {
        ea.connect(peer: "B", now: .monotonicNow())
        eb.connect(peer: "A", now: .monotonicNow())
        while true {
            var moved = false
            while let m = ea.pollTransmit() {
                frames += 1; bytes += m.bytes.count
                timed(sender: false) { eb.handle(bytes: m.bytes, from: "A", now: .monotonicNow()) }
                moved = true
            }
            while let m = eb.pollTransmit() {
                frames += 1; bytes += m.bytes.count
                timed(sender: true) { ea.handle(bytes: m.bytes, from: "B", now: .monotonicNow()) }
                moved = true
            }
            let now = Instant.monotonicNow()
            for (e, isA) in [(ea, true), (eb, false)] {
                if let t = e.pollTimeout(), t <= now {
                    if isA { timed(sender: true) { e.handle(timeout: now) } } else { timed(sender: false) { e.handle(timeout: now) } }
                    moved = true
                }
            }
            if moved { continue }
            guard eb.isPulling || eb.hasNeeds() else { break }
            syncer.waitForSubmitted()
            timed(sender: false) { eb.collectSynced(now: .monotonicNow()) }
        }
    }
    let processCPU = processCPUSeconds() - process0
    let totalFiles = files + (largeMiB > 0 ? 2 : 0)
    let (placed, _) = eb.localTotals()
    print("disk sync, \(files) small files + \(largeMiB) MiB large: scan \(String(format: "%.2f", scanWall)) s wall, \(String(format: "%.2f", scanCPU)) CPU-s")
    print("  pull: \(String(format: "%.2f", wall)) s wall = \(String(format: "%.0f", Double(totalFiles) / wall)) files/s; CPU sender \(String(format: "%.2f", cpuA)) s "
          + "(\(String(format: "%.0f", cpuA / Double(totalFiles) * 1e6)) µs/file), receiver \(String(format: "%.2f", cpuB)) s "
          + "(\(String(format: "%.0f", cpuB / Double(totalFiles) * 1e6)) µs/file), whole process \(String(format: "%.2f", processCPU)) s; "
          + "\(frames) frames, \(bytes) bytes; placed \(placed) of \(totalFiles); syncer \(syncer.statistics)")
    print("  user CPU only: sender \(String(format: "%.0f", userA / Double(totalFiles) * 1e6)) µs/file, "
          + "receiver \(String(format: "%.0f", userB / Double(totalFiles) * 1e6)) µs/file")
}
