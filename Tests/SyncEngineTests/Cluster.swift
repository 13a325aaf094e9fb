import SyncEngine
import SyncFS
import SyncProtocol
import WireKit

/// N engines in one process, each with its own file system and store, joined by simulated
/// ordered streams with random delays, on virtual time. Reproducible from `seed`.
final class Cluster {
    struct InFlight { var at: Instant; var order: Int; var from: Int; var to: Int; var bytes: [UInt8] }

    var engines: [FolderEngine] = []
    let fss: [any FileSystem]
    let stores: [MemoryIndexStore]
    let ids: [String]
    var rng: SeededRandom
    var now = Instant(nanoseconds: 1_000_000_000)
    var inflight: [InFlight] = []
    var lastDelivery: [Int: Instant] = [:]
    var order = 0
    var events: [[SyncEvent]]
    var framesSent: [SyncFrame.MessageType: Int] = [:]
    /// Bytes on the wire per frame type (headers included).
    var bytesSent: [SyncFrame.MessageType: Int] = [:]
    /// Frames sent per engine and frame type.
    var framesSentBy: [Int: [SyncFrame.MessageType: Int]] = [:]
    var connected: Set<Int> = []
    /// When set, every index record sent is kept in ``indexRecordsSent`` (decoded from its frame).
    var recordIndexes = false
    /// Index records sent, with their sender and receiver (while ``recordIndexes`` is set).
    var indexRecordsSent: [(from: Int, to: Int, record: FileRecord)] = []
    let configs: [FolderConfig]
    /// Engines given a syncer flush finished files through it (the test completes the flushes).
    let syncers: [Int: ManualFileSyncer]

    init(count: Int, seed: UInt64, fileSystems: [any FileSystem]? = nil, syncers: [Int: ManualFileSyncer] = [:],
         configure: (Int, inout FolderConfig) -> Void = { _, _ in }) throws {
        self.syncers = syncers
        rng = SeededRandom(seed: seed)
        ids = (0..<count).map { "DEVICE\(Character(UnicodeScalar(UInt8(65 + $0))))-XXXXXXX-YYYYYYY" }
        fss = fileSystems ?? (0..<count).map { _ in InMemoryFileSystem() }
        stores = (0..<count).map { _ in MemoryIndexStore() }
        events = Array(repeating: [], count: count)
        var configs: [FolderConfig] = []
        for i in 0..<count {
            var c = FolderConfig(folderID: "default", localDeviceID: ids[i], deviceName: "dev\(i)")
            configure(i, &c)
            configs.append(c)
        }
        self.configs = configs
        for i in 0..<count { engines.append(try makeEngine(i)) }
    }

    func makeEngine(_ i: Int) throws -> FolderEngine {
        try FolderEngine(config: configs[i], fs: fss[i], store: stores[i], newIndexID: rng.next() | 1, syncer: syncers[i])
    }

    func link(_ a: Int, _ b: Int) -> Int { a * 64 + b }

    func connect(_ a: Int, _ b: Int) {
        engines[a].connect(peer: ids[b], now: now)
        engines[b].connect(peer: ids[a], now: now)
        connected.insert(link(min(a, b), max(a, b)))
    }

    func connectAll() {
        for a in engines.indices { for b in engines.indices where a < b { connect(a, b) } }
    }

    func disconnect(_ a: Int, _ b: Int) {
        engines[a].disconnect(peer: ids[b], now: now)
        engines[b].disconnect(peer: ids[a], now: now)
        connected.remove(link(min(a, b), max(a, b)))
        inflight.removeAll { ($0.from == a && $0.to == b) || ($0.from == b && $0.to == a) }
    }

    /// Restarts engine `i` on its (possibly crashed) file system and its store.
    func restart(_ i: Int) throws {
        for j in engines.indices where j != i && connected.contains(link(min(i, j), max(i, j))) { disconnect(i, j) }
        engines[i] = try makeEngine(i)
    }

    func collect() {
        for (i, e) in engines.enumerated() {
            while let t = e.pollTransmit() {
                guard let to = ids.firstIndex(of: t.peer) else { continue }
                if let type = SyncFrame.MessageType(rawValue: t.bytes.count > 5 ? t.bytes[5] : 0) {
                    framesSent[type, default: 0] += 1
                    framesSentBy[i, default: [:]][type, default: 0] += 1
                    bytesSent[type, default: 0] += t.bytes.count
                }
                if recordIndexes, case .index(let m)? = try? SyncFrame.decode(t.bytes) {
                    for r in m.records { indexRecordsSent.append((i, to, r)) }
                }
                let delay = Duration.microseconds(Int64(rng.next() % 5_000))
                let earliest = max(now + delay, lastDelivery[link(i, to)] ?? now)
                lastDelivery[link(i, to)] = earliest
                order += 1
                inflight.append(InFlight(at: earliest, order: order, from: i, to: to, bytes: t.bytes))
            }
            while let ev = e.pollEvent() { events[i].append(ev) }
        }
    }

    /// Delivers messages until none are left (bounded); returns the steps taken.
    @discardableResult
    func run(maxSteps: Int = 200_000) -> Int {
        var steps = 0
        collect()
        while steps < maxSteps, deliverOne() { steps += 1 }
        precondition(steps < maxSteps, "cluster did not go quiet within \(maxSteps) steps (seed \(rng.seed))")
        return steps
    }

    /// Delivers the next message in flight (first any timeout due before it); false when none is.
    @discardableResult
    func deliverOne() -> Bool {
        let timeouts = engines.compactMap { $0.pollTimeout() }
        guard let next = inflight.indices.min(by: { (inflight[$0].at, inflight[$0].order) < (inflight[$1].at, inflight[$1].order) }) else {
            return false
        }
        let m = inflight.remove(at: next)
        if let t = timeouts.min(), t < m.at {
            now = t
            for e in engines { e.handle(timeout: now) }
        }
        now = max(now, m.at)
        engines[m.to].handle(bytes: m.bytes, from: ids[m.from], now: now)
        collect()
        return true
    }

    func scan(_ i: Int) { engines[i].scan(now: now); collect() }

    /// Scans and exchanges until nothing changes any more; returns the rounds taken.
    @discardableResult
    func converge(maxRounds: Int = 12) -> Int {
        for round in 1...maxRounds {
            for i in engines.indices { scan(i) }
            run()
            let before = engines.map(\.maxSequence)
            for i in engines.indices { scan(i) }
            run()
            if engines.map(\.maxSequence) == before && engines.allSatisfy({ $0.needCount() == 0 }) { return round }
        }
        return maxRounds + 1
    }

    /// The visible tree of engine `i`: path → description of kind, content, mode and mtime.
    func tree(_ i: Int) -> [String: String] {
        var out: [String: String] = [:]
        let fs = fss[i]
        func walk(_ dir: String) {
            for name in (try? fs.list(dir)) ?? [] {
                let p = dir.isEmpty ? name : dir + "/" + name
                if dir.isEmpty && name == PathPolicy.stateDirectoryName { continue }
                if name.hasPrefix(PathPolicy.tempPrefix) { out[p] = "TEMP"; continue }
                guard let info = (try? fs.info(p)) ?? nil else { continue }
                switch info.kind {
                case .file:
                    let data = (try? fs.readAll(p, limit: 64 << 20)) ?? []
                    out[p] = "file \(SHA256Hasher.hash(data)) \(String(info.permissions, radix: 8)) \(info.mtimeNanoseconds)"
                case .directory:
                    out[p] = "dir \(String(info.permissions, radix: 8))"
                    walk(p)
                case .symlink: out[p] = "link \(info.symlinkTarget ?? "")"
                case nil: out[p] = "other"
                }
            }
        }
        walk("")
        return out
    }

    func allTreesEqual() -> Bool { engines.indices.allSatisfy { tree($0) == tree(0) } }
}

extension FileSystem {
    /// Writes `content(i)` at the i-th of `names`, making their missing parent directories.
    func writeFiles(_ names: [String], content: (Int) -> [UInt8]) throws {
        for (i, n) in names.enumerated() {
            if let dir = SyncPath(n).parent { try makeDirectories(dir.string) }
            try writeAll(n, content(i))
        }
    }
}
