import Daemon
import Foundation
import SyncFS
import SyncProtocol
import WireKit

/// Runs one ``Attack`` on one folder stream to the victim and reports what the victim did.
///
/// The victim's frames are read by a separate task (so a flood never blocks on them) and turned
/// into ``Observation``s; a 200 ms tick lets the runner give up on a victim that never reacts.
/// Attacks that the victim should survive without closing end with an honest *sentinel* file
/// announced after the hostile records: the victim asking for its chunk shows that it handled
/// everything before it and still syncs on the same stream.
struct AttackRunner {
    /// What the victim did, as seen by this peer.
    enum Observation: Sendable {
        case hello
        case request(ChunkRequest)
        case close(String)
        /// The victim announced the sentinel in its index: it placed the file.
        case sentinelPlaced
        case ended
        case tick
    }

    /// The outcome of one attack (one JSON line of the report).
    struct Report: Codable, Sendable {
        var attack: String
        /// `victim-closed` (a Close frame, then the victim closed the stream), `victim-sent-close`
        /// (a Close frame but the stream stayed open), `stream-ended`, `sentinel-placed` (the
        /// victim pulled the sentinel and announced it), `sentinel-requested-not-placed`, or `no-reaction`.
        var outcome: String
        /// The reason in the victim's Close frame.
        var victimReason: String?
        var requestsAnswered: Int
        var recordsSent: Int
        /// Index bytes sent (approximate; fat-index only).
        var bytesSent: Int?
        var seconds: Double
        /// Files the victim should now hold, as [relative path, SHA-256 hex] pairs (not a
        /// dictionary: String keys would merge the NFC and NFD spellings of a name).
        var expectedFiles: [[String]]
    }

    let attack: Attack
    let link: any PeerLink
    let frames: HostileFrames
    let canary: String
    let escape: String
    let floodCount: Int
    let fatSeconds: Int

    /// Plays the attack and returns its report; closes the stream at the end.
    func run() async -> Report {
        let started = Instant.monotonicNow()
        let (observations, sink) = AsyncStream<Observation>.makeStream()
        let incoming = link.incoming
        let sentinel = "sentinel-\(attack.rawValue).txt"
        let reader = Task {
            for await bytes in incoming {
                switch try? SyncFrame.decode(bytes) {
                case .hello?: sink.yield(.hello)
                case .index(let m)?:
                    if m.records.contains(where: { $0.path == SyncPath(sentinel) && !$0.deleted }) { sink.yield(.sentinelPlaced) }
                case .request(let r)?: sink.yield(.request(r))
                case .close(let c)?: sink.yield(.close(c.reason))
                default: break
                }
            }
            sink.yield(.ended)
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                sink.yield(.tick)
            }
        }
        defer { reader.cancel(); ticker.cancel() }

        var report = Report(attack: attack.rawValue, outcome: "no-reaction", requestsAnswered: 0, recordsSent: 0, seconds: 0, expectedFiles: [])
        var contents: [SyncPath: [UInt8]] = [:]   // by bytes: NFC and NFD names stay apart
        var mode = ResponseMode.honest
        var sentinelRequested = false
        do {
            try await link.send(frames.hello(maxSequence: 0))
            var seq: UInt64 = 0
            func next() -> UInt64 { seq += 1; return seq }
            func send(_ records: [FileRecord], update: Bool = false) async throws {
                try await link.send(frames.index(records, isUpdate: update))
                report.recordsSent += records.count
            }
            func payload(_ text: String) -> [UInt8] { Array(text.utf8) }
            switch attack {
            case .dotdot:
                try await send([frames.file("\(escape)/dotdot.txt", content: payload("escaped"), sequence: next())])
            case .absolute:
                try await send([frames.file("\(canary)/absolute.txt", content: payload("escaped"), sequence: next())])
            case .dotdotMiddle:
                let depth = escape.split(separator: "/").filter { $0 == ".." }.count
                let ups = Array(repeating: "..", count: depth + 1).joined(separator: "/")
                let rest = escape.split(separator: "/").filter { $0 != ".." }.joined(separator: "/")
                try await send([frames.file("a/\(ups)/\(rest)/middle.txt", content: payload("escaped"), sequence: next())])
            case .nul:
                try await send([frames.file("nul\u{0}name.txt", content: payload("nul"), sequence: next())])
            case .longComponent:
                try await send([frames.file(String(repeating: "L", count: 300) + ".txt", content: payload("long"), sequence: next())])
            case .longPath:
                let path = (0..<50).map { _ in String(repeating: "p", count: 99) }.joined(separator: "/") + "/long.txt"
                try await send([frames.file(path, content: payload("long"), sequence: next())])
            case .sizeMismatch:
                var r = frames.file("liar-size.bin", content: [UInt8](repeating: 7, count: 4096), sequence: next())
                r.size = 1 << 20
                try await send([r])
            case .hugeFile:
                var r = frames.file("huge.bin", content: [UInt8](repeating: 7, count: 4096), sequence: next())
                r.size = 2 << 40
                try await send([r])
            case .symlinkEscape:
                try await send([frames.symlink("abs-link", target: canary, sequence: next()),
                                frames.symlink("rel-link", target: escape, sequence: next())])
                try await link.send(frames.indexComplete(seq))
                // Give the victim a moment to place the links before the files through them.
                try? await Task.sleep(for: .seconds(1))
                for name in ["abs-link/through-abs.txt", "rel-link/through-rel.txt"] {
                    contents[SyncPath(name)] = payload("written through a symlink")
                    try await send([frames.file(name, content: contents[SyncPath(name)] ?? [], sequence: next())], update: true)
                }
            case .caseCollision, .unicodeCollision:
                let names = attack == .caseCollision ? ["Readme.txt", "README.txt"] : ["caf\u{E9}.txt", "cafe\u{301}.txt"]
                var records: [FileRecord] = []
                for (i, n) in names.enumerated() {
                    contents[SyncPath(n)] = payload("collision \(i): \(n)")
                    records.append(frames.file(n, content: contents[SyncPath(n)] ?? [], sequence: next()))
                    report.expectedFiles.append([n, SHA256Hasher.hash(contents[SyncPath(n)] ?? []).hex])
                }
                try await send(records)
            case .zstdBomb, .zstdLyingHeader:
                contents[SyncPath("bomb.bin")] = [UInt8](repeating: 0x41, count: FrameLimits.maxChunkBytes)
                mode = attack == .zstdBomb ? .bomb(declared: nil) : .bomb(declared: UInt32(FrameLimits.maxChunkBytes))
                try await send([frames.file("bomb.bin", content: contents[SyncPath("bomb.bin")] ?? [], sequence: next())])
            case .badChunk, .shortChunk:
                let name = attack == .badChunk ? "bad-chunk.bin" : "short-chunk.bin"
                contents[SyncPath(name)] = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                mode = attack == .badChunk ? .corrupt : .short
                try await send([frames.file(name, content: contents[SyncPath(name)] ?? [], sequence: next())])
            case .indexFlood:
                var sent = 0
                while sent < floodCount {
                    let n = min(1000, floodCount - sent)
                    var batch: [FileRecord] = []
                    batch.reserveCapacity(n)
                    for i in sent..<(sent + n) { batch.append(frames.tombstone("flood/\(i / 1000)/\(i)", sequence: next())) }
                    try await send(batch, update: sent > 0)
                    sent += n
                }
            case .fatIndex:
                // 15 components of 255 bytes + a counter: ~3.9 KB per record, ~2100 per 8 MiB frame.
                let stem = (0..<15).map { c in String(repeating: Character(UnicodeScalar(UInt8(97 + c))), count: 250) }.joined(separator: "/")
                let perFrame = (FrameLimits.maxFrameBytes - 1024) / (stem.utf8.count + 120)
                var i = 0
                let until = Instant.monotonicNow() + .seconds(Int64(fatSeconds))
                while Instant.monotonicNow() < until {
                    var batch: [FileRecord] = []
                    batch.reserveCapacity(perFrame)
                    for _ in 0..<perFrame { batch.append(frames.tombstone("\(stem)/\(i)", sequence: next())); i += 1 }
                    try await send(batch, update: i > perFrame)
                }
                report.bytesSent = report.recordsSent * (stem.utf8.count + 100)
            }
            if !attack.expectsProtocolError {
                contents[SyncPath(sentinel)] = payload("the victim still syncs after \(attack.rawValue)\n")
                report.expectedFiles.append([sentinel, SHA256Hasher.hash(contents[SyncPath(sentinel)] ?? []).hex])
                try await send([frames.file(sentinel, content: contents[SyncPath(sentinel)] ?? [], sequence: next())], update: true)
            }
            try await link.send(frames.indexComplete(seq))
        } catch {
            report.outcome = "send-failed: \(error)"
        }

        var lastActivity = Instant.monotonicNow()
        var closedAt: Instant?
        let limit: Duration = attack == .indexFlood || attack == .fatIndex ? .seconds(900) : .seconds(30)
        loop: for await o in observations {
            let now = Instant.monotonicNow()
            switch o {
            case .hello, .tick:
                break
            case .sentinelPlaced:
                report.outcome = "sentinel-placed"
                break loop
            case .request(let r):
                lastActivity = now
                if r.path.string == sentinel { sentinelRequested = true }
                let data = contents[r.path] ?? []
                let lo = Int(min(r.offset, UInt64(data.count))), hi = min(lo + Int(r.size), data.count)
                let chunk = Array(data[lo..<hi])
                let answer = r.path.string == sentinel ? .honest : mode
                try? await link.send(answer.response(requestID: r.requestID, chunk: chunk))
                report.requestsAnswered += 1
            case .close(let reason):
                // Wait for the victim to close the stream too (a Close followed by silence on an
                // open channel would leave a stream that is read and ignored).
                report.victimReason = reason
                report.outcome = "victim-sent-close"
                closedAt = now
            case .ended:
                report.outcome = report.victimReason == nil ? "stream-ended" : "victim-closed"
                break loop
            }
            if let t = closedAt, now - t > .seconds(5) { break loop }
            if sentinelRequested && now - lastActivity > .seconds(60) { report.outcome = "sentinel-requested-not-placed"; break loop }
            if now - started > limit { break loop }
        }
        report.seconds = Double((Instant.monotonicNow() - started).components.seconds)
            + Double((Instant.monotonicNow() - started).components.attoseconds) / 1e18
        await link.close()
        return report
    }
}

/// How this peer answers chunk requests during an attack.
enum ResponseMode: Sendable {
    case honest
    /// A zstd bomb instead of the chunk (see ``HostileFrames/zstdBomb(expandedBytes:byte:declaredSize:)``).
    case bomb(declared: UInt32?)
    /// The right size, wrong bytes.
    case corrupt
    /// Fewer bytes than the chunk, with a matching (lying) raw size.
    case short

    func response(requestID: UInt32, chunk: [UInt8]) -> [UInt8] {
        switch self {
        case .honest:
            return SyncFrame.response(ChunkResponse(requestID: requestID, status: .ok, data: chunk)).encode()
        case .bomb(let declared):
            let bomb = HostileFrames.zstdBomb(expandedBytes: 1 << 30, byte: 0x41, declaredSize: declared)
            return HostileFrames.response(requestID: requestID, encoding: 1, rawSize: UInt32(chunk.count), payload: bomb)
        case .corrupt:
            return HostileFrames.response(requestID: requestID, encoding: 0, rawSize: UInt32(chunk.count), payload: chunk.map { $0 ^ 0x5A })
        case .short:
            let part = Array(chunk.prefix(1000))
            return HostileFrames.response(requestID: requestID, encoding: 0, rawSize: UInt32(part.count), payload: part)
        }
    }
}
