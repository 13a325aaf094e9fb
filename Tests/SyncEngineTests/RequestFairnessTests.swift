import SyncEngine
import SyncFS
import SyncProtocol
import Testing
import WireKit

/// The in-flight budget is shared fairly between the pulls that wait for it: a large file's
/// many chunks do not hold it until the last of them is requested while small files wait.
@Suite struct RequestFairnessTests {
    @Test func smallFilesAreRequestedWhileALargeFileIsStillBeingRequested() throws {
        let c = try Cluster(count: 2, seed: 41) { i, config in
            if i == 1 { config.maxBytesInFlight = 256 << 10 }
        }
        c.connectAll()
        var rng = SeededRandom(seed: 410)
        let large = rng.bytes(3 << 20)   // ~48 chunks of the standard chunker: ~12 budgets' worth
        try c.fss[0].writeAll("a-large.bin", large)
        var small: [String: [UInt8]] = [:]
        for i in 0..<12 {
            let path = "z-small-\(i).bin"
            small[path] = rng.bytes(2_000 + i)
            try c.fss[0].writeAll(path, small[path]!)
        }
        var requested: [String] = []   // paths of the requests the receiver sent, in order
        c.willDeliver = { m in
            if m.to == 0, case .request(let r)? = try? SyncFrame.decode(m.bytes) { requested.append(r.path.string) }
        }
        c.converge()

        #expect(c.allTreesEqual())
        #expect(try c.fss[1].readAll("a-large.bin", limit: 8 << 20) == large)
        for (path, data) in small { #expect(try c.fss[1].readAll(path, limit: 1 << 20) == data) }
        let largeRequests = requested.indices.filter { requested[$0] == "a-large.bin" }
        let firstSmall = try #require(requested.firstIndex { $0.hasPrefix("z-small-") })
        #expect(largeRequests.count > 12, "the large file must need many budgets' worth of requests")
        // Path order starts the large file's pull first; the small files' requests go out between
        // its chunks, not after all of them.
        #expect(firstSmall < largeRequests[largeRequests.count / 4],
                "first small-file request at \(firstSmall) of \(requested.count); large-file requests at \(largeRequests)")
    }
}
