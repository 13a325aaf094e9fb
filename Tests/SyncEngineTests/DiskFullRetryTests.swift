import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// A full disk on the receiver is a local failure, not the sender's fault: the pull pauses
/// with a clear event, nothing appears at the final name, and once space returns the engine
/// retries by itself after its backoff (no rescan needed) and places the file whole.
@Suite struct DiskFullRetryTests {
    static let noSpace: Int32 = 28  // ENOSPC

    @Test(arguments: [UInt64(1), 2, 3])
    func pullResumesAfterTheDiskHasSpaceAgain(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let c = try Cluster(count: 2, seed: 9_100 + seed)
        c.connectAll()
        let content = rng.bytes(600_000 + Int(seed) * 10_000)
        try c.fss[0].writeAll("big.bin", content)
        let b = try #require(c.fss[1] as? InMemoryFileSystem)
        // Writes into temp files fail with ENOSPC once a few chunks are in.
        var writes = 0
        b.faultHook = { op, path throws(FileSystemError) in
            if op == "write" {
                writes += 1
                if writes > Int(seed) { throw FileSystemError(code: Self.noSpace, operation: "pwrite", path: path) }
            }
        }
        c.scan(0)
        c.run()
        let failures: [String] = c.events[1].compactMap {
            if case .pullFailed(let p, let reason) = $0 { return "\(p.string): \(reason)" }
            return nil
        }
        #expect(failures.contains { $0.hasPrefix("big.bin") && $0.contains("errno 28") }, "seed \(seed): no pull failure reported: \(failures)")
        #expect(try b.info("big.bin") == nil, "seed \(seed): something was published at the final name while the disk was full")
        #expect(c.engines[1].needCount() == 1)
        let retry = try #require(c.engines[1].pollTimeout(), "seed \(seed): no retry scheduled")

        // Space returns; only time passes (no scan, no new index).
        b.faultHook = nil
        c.now = max(c.now, retry)
        for e in c.engines { e.handle(timeout: c.now) }
        c.run()
        #expect(try b.readAll("big.bin", limit: 1 << 22) == content, "seed \(seed): the file did not arrive after space returned")
        #expect(c.engines[1].needCount() == 0)
        #expect(c.engines[1].pollTimeout() == nil, "seed \(seed): a retry timer is left armed after success")
    }

    @Test func retriesBackOffWhileTheDiskStaysFull() throws {
        let c = try Cluster(count: 2, seed: 9_200)
        c.connectAll()
        var rng = SeededRandom(seed: 4)
        try c.fss[0].writeAll("f.bin", rng.bytes(300_000))
        let b = try #require(c.fss[1] as? InMemoryFileSystem)
        b.faultHook = { op, path throws(FileSystemError) in
            if op == "write" || op == "open-write" { throw FileSystemError(code: Self.noSpace, operation: op, path: path) }
        }
        c.scan(0)
        c.run()
        var gaps: [Duration] = []
        var last = c.now
        for _ in 0..<6 {
            let t = try #require(c.engines[1].pollTimeout())
            gaps.append(t - last)
            c.now = t
            last = t
            for e in c.engines { e.handle(timeout: c.now) }
            c.run()
        }
        // 1 s, 2 s, 4 s… bounded by 64 s; never a busy loop.
        #expect(gaps.allSatisfy { $0 >= .seconds(1) && $0 <= .seconds(64) }, "\(gaps)")
        #expect(gaps.last! > gaps.first!, "\(gaps)")
        #expect(try b.info("f.bin") == nil)
    }
}
