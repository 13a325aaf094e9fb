import Foundation
import SyncEngine
import SyncFS
import SyncProtocol
import SyncStore
import WireKit

/// The index store calls of an initial sync of `files` one-chunk files, replayed on two
/// SQLite stores in one thread, with no file system work: what the SQLite index costs each
/// side. Deterministic (seeded contents, fixed batch sizes), so instruction counts compare:
///   valgrind --tool=callgrind --toggle-collect='*storeBench*' .build/release/sync-bench store 10000
///
/// Sender: the scan commits its records in pages of 256; the receiver's announcements come back
/// in messages of 1,000 (each: its chunk counts looked up together, then one commit); every
/// file's entry is looked up once as its chunk is served. Receiver: the sender's index in
/// messages of 1,000, the need walk's candidate pages of 1,000 (without chunk lists), and each
/// pulled file's look-up and placement commit in groups of `placeBatch`.
@MainActor func storeBench(files: Int, placeBatch: Int) throws {
    let base = FileManager.default.temporaryDirectory.path + "/sync-bench-store-\(getpid())"
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    let sender = SQLiteIndexStore(database: try SyncDatabase(path: base + "/a.sqlite"))
    let receiver = SQLiteIndexStore(database: try SyncDatabase(path: base + "/b.sqlite"))
    _ = try sender.openFolder("f", newIndexID: 1)
    _ = try receiver.openFolder("f", newIndexID: 2)
    var rng = SeededRandom(seed: 20261127)
    let idA = FolderEngine.shortID(of: "A")
    var records: [FileRecord] = []
    var states: [LocalFileState] = []
    for i in 0..<files {
        let size = UInt64(1024 + rng.next() % UInt64(63 << 10))
        let chunks = [ChunkInfo(size: UInt32(size), hash: SHA256Hasher.hash(rng.bytes(16)))]
        records.append(FileRecord(path: SyncPath(String(format: "small/d%02d/f%05d.bin", i % 100, i)), kind: .file, size: size,
                                  mtimeNanoseconds: 1_700_000_000_000_000_000 + Int64(i), modifiedBy: idA,
                                  version: VersionVector().incremented(by: idA), sequence: 0,
                                  contentHash: SHA256Hasher.contentHash(of: chunks), chunks: chunks))
        states.append(LocalFileState(kind: .file, size: size, permissions: 0o644, mtimeNanoseconds: records[i].mtimeNanoseconds,
                                     ctimeNanoseconds: records[i].mtimeNanoseconds, inode: UInt64(1000 + i)))
    }
    // The scan walks directories: records in path order, sequences in scan order.
    let scanned = records.indices.sorted { records[$0].path < records[$1].path }
    var senderCPU = 0.0, receiverCPU = 0.0
    func timed(_ sender: Bool, _ body: () throws -> Void) rethrows {
        let t0 = threadCPUSeconds()
        try body()
        if sender { senderCPU += threadCPUSeconds() - t0 } else { receiverCPU += threadCPUSeconds() - t0 }
    }

    /// One side's handling of an index message: chunk counts looked up together, then one commit.
    func receiveIndex(_ store: SQLiteIndexStore, from peer: String, _ page: [FileRecord], progress: inout RemoteProgress) throws {
        let known = store.readTogether {
            page.reduce(0) { $0 + ((try? store.remoteChunkCount(folderID: "f", device: peer, path: $1.path)) ?? nil ?? 0) }
        }
        precondition(known == 0)
        var batch = IndexBatch(folderID: "f")
        for r in page { batch.remote.append((peer, r)); progress.maxSequence = max(progress.maxSequence, r.sequence) }
        batch.progress[peer] = progress
        try store.commit(batch)
    }

    // Sender: the scan's commits.
    var sequence: UInt64 = 0
    try timed(true) {
        for start in stride(from: 0, to: files, by: 256) {
            var batch = IndexBatch(folderID: "f")
            for i in scanned[start..<min(files, start + 256)] {
                sequence += 1
                records[i].sequence = sequence
                batch.local.append(LocalEntry(record: records[i], state: states[i]))
            }
            try sender.commit(batch)
        }
    }
    /// One side's whole index sent to the other, 1,000 records a message read from its store.
    func sendIndex(from source: SQLiteIndexStore, _ device: String, indexID: UInt64, to target: SQLiteIndexStore, sourceIsSender: Bool) throws {
        var progress = RemoteProgress(indexID: indexID, maxSequence: 0)
        var sent: UInt64 = 0
        while true {
            var page: [FileRecord] = []
            try timed(sourceIsSender) { page = try source.localRecords(folderID: "f", afterSequence: sent, limit: 1000) }
            guard let last = page.last else { return }
            sent = last.sequence
            try timed(!sourceIsSender) { try receiveIndex(target, from: device, page, progress: &progress) }
        }
    }
    try sendIndex(from: sender, "A", indexID: 1, to: receiver, sourceIsSender: true)
    // Receiver: the need walk (pages without chunk lists), each file looked up, served by the
    // sender, and placed in groups.
    var after: SyncPath?
    var placed: [FileRecord] = []
    var receiverSequence: UInt64 = 0
    var served = 0
    func place(_ group: [FileRecord]) throws {
        try timed(false) {
            let wasDeleted = receiver.readTogether {
                group.map { (try? receiver.localEntry(folderID: "f", path: $0.path, withChunks: false))??.record.deleted ?? true }
            }
            precondition(wasDeleted.allSatisfy { $0 })
            var batch = IndexBatch(folderID: "f")
            for r in group {
                receiverSequence += 1
                var mine = r
                mine.sequence = receiverSequence
                batch.local.append(LocalEntry(record: mine, state: LocalFileState(kind: .file, size: r.size, permissions: 0o644,
                                                                                  mtimeNanoseconds: r.mtimeNanoseconds,
                                                                                  ctimeNanoseconds: r.mtimeNanoseconds, inode: 1)))
                placed.append(mine)
            }
            try receiver.commit(batch)
        }
    }
    var pending: [FileRecord] = []
    while true {
        var page: [NeedCandidate] = []
        try timed(false) { page = try receiver.needCandidates(folderID: "f", after: after, descending: false, limit: 1000, withChunks: false) }
        guard let last = page.last else { break }
        after = last.path
        for c in page {
            guard let r = c.remote["A"] else { continue }
            try timed(true) { served += (try sender.localEntry(folderID: "f", path: r.path, withChunks: true))?.record.chunks.count ?? 0 }
            pending.append(r)
            if pending.count == placeBatch { try place(pending); pending = [] }
        }
    }
    if !pending.isEmpty { try place(pending) }
    // Sender: the receiver's announcements.
    try sendIndex(from: receiver, "B", indexID: 2, to: sender, sourceIsSender: false)
    let needLeft = try receiver.needCandidates(folderID: "f", after: nil, descending: false, limit: 10, withChunks: false).count
    print("store replay, \(files) one-chunk files, placed in groups of \(placeBatch): sender \(String(format: "%.3f", senderCPU)) CPU-s, "
          + "receiver \(String(format: "%.3f", receiverCPU)) CPU-s; served \(served) chunks, placed \(placed.count), needs left \(needLeft)")
}
