import Testing
import SyncFS
import SyncProtocol
import WireKit
@testable import SyncEngine

/// A served chunk is hashed unless the file still shows the state its scan recorded and the
/// request names one of its indexed chunks; anything else is hashed, and a mismatch is "not found".
@Suite struct ServeVerificationTests {
    /// Sends `request` to engine 0 as engine 1 and returns engine 0's answer.
    func ask(_ c: Cluster, _ request: ChunkRequest) throws -> ChunkResponse? {
        c.engines[0].handle(frame: .request(request), from: c.ids[1], now: c.now)
        var answer: ChunkResponse?
        while let t = c.engines[0].pollTransmit() {
            if case .response(let r) = try SyncFrame.decode(t.bytes), r.requestID == request.requestID { answer = r }
        }
        return answer
    }

    /// Overwrites the first 64 bytes of `path` in place (same size, no rescan).
    func overwriteStart(_ fs: any FileSystem, _ path: String) throws {
        let f = try fs.openWrite(path, create: false, permissions: 0o644)
        try f.write(Array(repeating: 0xAB, count: 64), at: 0)
        f.close()
    }

    func request(_ id: UInt32, offset: Int, size: Int, hash: ContentHash) -> ChunkRequest {
        ChunkRequest(requestID: id, folderID: "default", path: SyncPath("f.bin"), offset: UInt64(offset), size: UInt32(size), hash: hash)
    }

    /// Two engines that synced `f.bin` (300 000 random bytes); its bytes and indexed chunks.
    func synced(_ backing: FolderBacking, seed: UInt64) throws -> (Cluster, TempFolders?, [UInt8], [ChunkInfo]) {
        let folders = backing == .disk ? TempFolders(count: 2) : nil
        let c = try Cluster(count: 2, seed: seed, fileSystems: folders?.fileSystems)
        c.connectAll()
        var rng = SeededRandom(seed: seed + 1)
        let data = rng.bytes(300_000)
        try c.fss[0].writeAll("f.bin", data)
        c.converge()
        #expect(try c.fss[1].readAll("f.bin") == data)
        let chunks = try #require(c.engines[0].localRecord(SyncPath("f.bin"))?.chunks)
        #expect(chunks.count > 2)
        return (c, folders, data, chunks)
    }

    @Test(arguments: FolderBacking.allCases) func indexedChunksAndOtherRangesAreServedOnlyWhenTheyMatch(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try synced(backing, seed: 31)
        _ = folders
        let second = Int(chunks[0].size)
        // An indexed chunk of an unchanged file.
        let ok = try #require(try ask(c, request(1, offset: second, size: Int(chunks[1].size), hash: chunks[1].hash)))
        #expect(ok.status == .ok && ok.bytes == Array(data[second..<(second + Int(chunks[1].size))]))
        // A range that is no chunk, with the right hash of its bytes (hashed, then served) and with a wrong one.
        let range = Array(data[10..<510])
        #expect(try ask(c, request(2, offset: 10, size: 500, hash: SHA256Hasher.hash(range)))?.bytes == range)
        #expect(try ask(c, request(3, offset: 10, size: 500, hash: chunks[0].hash))?.status == .notFound)
        // An indexed chunk's place and size with another chunk's hash.
        #expect(try ask(c, request(4, offset: 0, size: Int(chunks[0].size), hash: chunks[1].hash))?.status == .notFound)
    }

    @Test(arguments: FolderBacking.allCases) func aFileChangedInPlaceSinceItsScanIsHashedBeforeServing(_ backing: FolderBacking) throws {
        let (c, folders, data, chunks) = try synced(backing, seed: 33)
        _ = folders
        // Overwritten in place, same size, no rescan: the first chunk's bytes are not the indexed ones any more.
        try overwriteStart(c.fss[0], "f.bin")
        #expect(try c.fss[0].info("f.bin")?.size == UInt64(data.count))
        #expect(try ask(c, request(1, offset: 0, size: Int(chunks[0].size), hash: chunks[0].hash))?.status == .notFound)
        // The chunk whose bytes did not change still matches its hash.
        let second = Int(chunks[0].size)
        let ok = try #require(try ask(c, request(2, offset: second, size: Int(chunks[1].size), hash: chunks[1].hash)))
        #expect(ok.status == .ok && ok.bytes == Array(data[second..<(second + Int(chunks[1].size))]))
    }

    /// A one-chunk file is served from the entry the engine keeps (its chunk list comes along):
    /// its chunk is served unhashed while the file is unchanged, anything else is refused.
    @Test(arguments: FolderBacking.allCases) func aOneChunkFileIsServedFromItsCachedEntry(_ backing: FolderBacking) throws {
        let folders = backing == .disk ? TempFolders(count: 2) : nil
        let c = try Cluster(count: 2, seed: 35, fileSystems: folders?.fileSystems)
        c.connectAll()
        var rng = SeededRandom(seed: 36)
        let data = rng.bytes(3_000)
        try c.fss[0].writeAll("s.bin", data)
        c.converge()
        #expect(try c.fss[1].readAll("s.bin") == data)
        let chunks = try #require(c.engines[0].localRecord(SyncPath("s.bin"))?.chunks)
        #expect(chunks.count == 1)
        func ask(_ id: UInt32, offset: Int, size: Int, hash: ContentHash) throws -> ChunkResponse? {
            try self.ask(c, ChunkRequest(requestID: id, folderID: "default", path: SyncPath("s.bin"), offset: UInt64(offset), size: UInt32(size), hash: hash))
        }
        let hash = SHA256Hasher.hash(data)
        #expect(try ask(1, offset: 0, size: data.count, hash: hash)?.bytes == data)
        #expect(chunks[0].hash == hash && chunks[0].size == UInt32(data.count))
        // Another hash at the chunk's place, and a range inside it with the hash of the whole.
        #expect(try ask(3, offset: 0, size: data.count, hash: SHA256Hasher.hash([1, 2, 3]))?.status == .notFound)
        #expect(try ask(4, offset: 10, size: 100, hash: hash)?.status == .notFound)
        // A range inside it with its own bytes' hash is hashed and served.
        #expect(try ask(5, offset: 10, size: 100, hash: SHA256Hasher.hash(Array(data[10..<110])))?.bytes == Array(data[10..<110]))
        // Changed in place, same size, no rescan: the cached entry's chunk no longer matches the bytes.
        try overwriteStart(c.fss[0], "s.bin")
        #expect(try ask(6, offset: 0, size: data.count, hash: hash)?.status == .notFound)
    }
}
