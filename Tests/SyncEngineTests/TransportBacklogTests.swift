import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// While the transport holds more unsent bytes to a peer than the per-peer bound, chunk
/// requests from it are not answered (so a peer asking faster than the link drains cannot make
/// us buffer responses without bound); once the backlog drains, the peer's retry is served.
@Suite struct TransportBacklogTests {
    @Test(arguments: [UInt64(1), 2])
    func requestsWaitWhileTheLinkIsBacklogged(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let c = try Cluster(count: 2, seed: 9_300 + seed)
        c.connectAll()
        c.run()   // hellos exchanged
        let content = rng.bytes(300_000)
        try c.fss[0].writeAll("data.bin", content)
        let limit = c.engines[0].config.maxQueuedBytesPerPeer
        c.scan(0)   // its index is on the way to B now
        c.engines[0].setUnsentBytes(limit + 1, peer: c.ids[1])
        c.run()
        let served = c.framesSent[.response] ?? 0
        #expect(served == 0, "seed \(seed): \(served) responses queued while the link was over its bound")
        #expect(try c.fss[1].info("data.bin") == nil)
        #expect(c.engines[1].needCount() == 1)

        // The link drains; the requests time out and are asked again, and now answered.
        c.engines[0].setUnsentBytes(0, peer: c.ids[1])
        let retry = try #require(c.engines[1].pollTimeout(), "seed \(seed): no request deadline")
        c.now = max(c.now, retry)
        for e in c.engines { e.handle(timeout: c.now) }
        c.collect()
        c.run()
        #expect(try c.fss[1].readAll("data.bin", limit: 1 << 20) == content, "seed \(seed): the file did not arrive once the backlog drained")
    }
}
