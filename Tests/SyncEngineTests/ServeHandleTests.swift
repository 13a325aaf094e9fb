import Testing
import SyncFS
import SyncProtocol
import WireKit
@testable import SyncEngine

/// A file served chunk by chunk stays open between its requests (``ServeHandles``), but what is
/// read through a kept handle is verified as for a fresh open, and the handle is let go when the
/// file changes, is rescanned or replaced, after its last chunk and after a second unused.
@Suite struct ServeHandleTests {
    let verification = ServeVerificationTests()

    /// Engine 0's kept handles' paths.
    func kept(_ c: Cluster) -> [String] { c.engines[0].serveHandles.entries.map(\.path.string) }

    func chunkRequest(_ id: UInt32, _ chunks: [ChunkInfo], _ i: Int) -> ChunkRequest {
        let offset = chunks[..<i].reduce(0) { $0 + Int($1.size) }
        return verification.request(id, offset: offset, size: Int(chunks[i].size), hash: chunks[i].hash)
    }

    func bytes(_ data: [UInt8], _ chunks: [ChunkInfo], _ i: Int) -> [UInt8] {
        let offset = chunks[..<i].reduce(0) { $0 + Int($1.size) }
        return Array(data[offset..<(offset + Int(chunks[i].size))])
    }

    /// ``ServeVerificationTests/synced(_:seed:)``, then `f.bin`'s first chunk served again: its handle is kept.
    func syncedWithKeptHandle(_ backing: FolderBacking, seed: UInt64) throws -> (Cluster, TempFolders?, [UInt8], [ChunkInfo]) {
        let (c, folders, data, chunks) = try verification.synced(backing, seed: seed)
        #expect(try verification.ask(c, chunkRequest(1, chunks, 0))?.status == .ok)
        #expect(kept(c) == ["f.bin"])
        return (c, folders, data, chunks)
    }

    @Test(arguments: FolderBacking.allCases) func aHandleIsKeptBetweenChunksAndClosedAfterTheLastOrWhenIdle(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try verification.synced(backing, seed: 41)
        _ = folders
        #expect(kept(c).isEmpty)   // the sync's last chunk closed it
        var closes = 0
        (c.fss[0] as? InMemoryFileSystem)?.closeHook = { _ in closes += 1 }
        for i in 0..<(chunks.count - 1) {
            #expect(try verification.ask(c, chunkRequest(UInt32(i + 1), chunks, i))?.bytes == bytes(data, chunks, i))
            #expect(kept(c) == ["f.bin"])
        }
        if backing == .memory { #expect(closes == 0) }   // one handle served every chunk so far
        let last = chunks.count - 1
        #expect(try verification.ask(c, chunkRequest(100, chunks, last))?.bytes == bytes(data, chunks, last))
        #expect(kept(c).isEmpty)
        if backing == .memory { #expect(closes == 1) }
        // Kept again, then closed once unused for a second (the engine asks for that wake-up).
        #expect(try verification.ask(c, chunkRequest(101, chunks, 0))?.status == .ok)
        let deadline = try #require(c.engines[0].pollTimeout())
        #expect(deadline <= c.now + ServeHandles.idle)
        c.engines[0].handle(timeout: c.now + .milliseconds(500))
        #expect(kept(c) == ["f.bin"])
        c.engines[0].handle(timeout: c.now + ServeHandles.idle)
        #expect(kept(c).isEmpty)
    }

    @Test(arguments: FolderBacking.allCases) func aFileChangedInPlaceIsVerifiedThroughItsKeptHandle(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try syncedWithKeptHandle(backing, seed: 43)
        _ = folders
        // Overwritten in place, same size, no rescan: the kept handle's fstat shows the change.
        try verification.overwriteStart(c.fss[0], "f.bin")
        #expect(try verification.ask(c, chunkRequest(2, chunks, 0))?.status == .notFound)
        #expect(kept(c).isEmpty)   // not kept once it no longer shows the scanned state
        // A chunk whose bytes did not change is hashed and served (a fresh open, not kept either).
        #expect(try verification.ask(c, chunkRequest(3, chunks, 1))?.bytes == bytes(data, chunks, 1))
        #expect(kept(c).isEmpty)
    }

    @Test(arguments: FolderBacking.allCases) func aReplacedFileIsNeverReadThroughTheOldHandleOnceScanned(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try syncedWithKeptHandle(backing, seed: 45)
        _ = folders
        // Replaced by a rename (new content, same size), then rescanned: the handle is closed.
        var newData = data
        for i in 0..<newData.count { newData[i] ^= 0x5A }
        try c.fss[0].writeAll("f.new", newData)
        try c.fss[0].rename("f.new", to: "f.bin")
        c.engines[0].scan(now: c.now)
        #expect(kept(c).isEmpty)
        // The old chunk is gone; the new one is served.
        #expect(try verification.ask(c, chunkRequest(2, chunks, 0))?.status == .notFound)
        let newChunks = try #require(c.engines[0].localRecord(SyncPath("f.bin"))?.chunks)
        #expect(try verification.ask(c, chunkRequest(3, newChunks, 0))?.bytes == bytes(newData, newChunks, 0))
        #expect(kept(c) == ["f.bin"])
        // A scan beginning closes every kept handle, even of files it finds unchanged.
        #expect(c.engines[0].beginScan(now: c.now))
        #expect(kept(c).isEmpty)
        while c.engines[0].continueScan(now: c.now) {}
    }

    @Test func atMostLimitHandlesAreKeptOldestClosedFirst() {
        let fs = InMemoryFileSystem()
        var closed: [String] = []
        fs.closeHook = { closed.append($0) }
        var handles = ServeHandles()
        for i in 0...ServeHandles.limit {
            let path = "f\(i)"
            try? fs.writeAll(path, [UInt8(i)])
            guard let f = try? fs.openRead(path) else { Issue.record("open \(path)"); return }
            handles.keep(f, for: SyncPath(path), now: Instant(nanoseconds: UInt64(i)))
        }
        #expect(closed == ["f0"])
        #expect(handles.entries.map(\.path.string) == (1...ServeHandles.limit).map { "f\($0)" })
        handles.close(SyncPath("f2"))
        #expect(closed == ["f0", "f2"])
        handles.closeAll()
        #expect(handles.isEmpty && closed.count == ServeHandles.limit + 1)
    }

    @Test(arguments: FolderBacking.allCases) func aRunOfRequestsIsServedTogetherAsOneByOne(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try verification.synced(backing, seed: 49)
        _ = folders
        // Every chunk, with a request for bytes the file does not hold in the middle of the run.
        var run = chunks.indices.map { FolderEngine.prepare(SyncFrame.request(chunkRequest(UInt32(10 + $0), chunks, $0)).encode()) }
        run.insert(FolderEngine.prepare(SyncFrame.request(verification.request(99, offset: 0, size: 100, hash: SHA256Hasher.hash([1]))).encode()), at: 1)
        let allRequests = run.allSatisfy { $0.isRequest }
        #expect(allRequests)
        #expect(!FolderEngine.prepare(SyncFrame.ping.encode()).isRequest)
        c.engines[0].handle(requests: run[...], from: c.ids[1], now: c.now)
        var answers: [UInt32: ChunkResponse] = [:]
        while let t = c.engines[0].pollTransmit() {
            if case .response(let r) = try SyncFrame.decode(t.bytes) { answers[r.requestID] = r }
        }
        #expect(answers.count == chunks.count + 1)
        #expect(answers[99]?.status == .notFound)
        for i in chunks.indices { #expect(answers[UInt32(10 + i)]?.bytes == bytes(data, chunks, i)) }
        // From a device the engine does not know: nothing is served.
        c.engines[0].handle(requests: run[...], from: "not-a-peer", now: c.now)
        #expect(c.engines[0].pollTransmit() == nil)
    }
}
