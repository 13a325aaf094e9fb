import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

@Suite struct HostilePeerTests {
    func drain(_ e: FolderEngine) -> [SyncFrame] {
        var out: [SyncFrame] = []
        while let t = e.pollTransmit() { if let f = try? SyncFrame.decode(t.bytes) { out.append(f) } }
        return out
    }

    @Test func malformedFramesAndLyingHellosDisconnect() throws {
        let fs = InMemoryFileSystem()
        let e = try FolderEngine(config: FolderConfig(folderID: "f", localDeviceID: "ME"), fs: fs, store: MemoryIndexStore(), newIndexID: 1)
        e.connect(peer: "EVIL", now: .zero)
        _ = drain(e)
        e.handle(bytes: [0, 0, 0, 2, 1, 99], from: "EVIL", now: .zero)
        #expect(e.pollEvent().map { if case .peerError = $0 { true } else { false } } == true)
        #expect(drain(e).contains { if case .close = $0 { true } else { false } })

        e.connect(peer: "EVIL", now: .zero)
        _ = drain(e)
        e.handle(frame: .hello(Hello(deviceID: "SOMEONE-ELSE", deviceName: "", folders: [])), from: "EVIL", now: .zero)
        #expect(e.pollEvent().map { if case .peerError = $0 { true } else { false } } == true)
    }

    @Test func oversizedIndexesDisconnectThePeer() throws {
        let c = try Cluster(count: 2, seed: 17) { i, config in
            if i == 1 { config.maxRemoteRecords = 50; config.maxRemoteChunks = 40 }
        }
        c.connectAll()
        for i in 0..<30 { try c.fss[0].writeAll("f\(i)", [UInt8(i), 1, 2]) }
        c.converge(maxRounds: 2)
        #expect(!c.events[1].contains { if case .peerError = $0 { true } else { false } })
        for i in 30..<45 { try c.fss[0].writeAll("f\(i)", [UInt8(i)]) }
        c.scan(0); c.run()
        #expect(c.events[1].contains { if case .peerError(_, let why) = $0 { why.contains("chunks") } else { false } })
    }

    @Test func forgedResponsesAndCorruptChunksNeverReachTheFile() throws {
        let c = try Cluster(count: 2, seed: 15)
        c.connectAll()
        var rng = SeededRandom(seed: 150)
        let data = rng.bytes(100_000)
        try c.fss[0].writeAll("f.bin", data)
        c.scan(0)
        // Deliver everything except B's chunk requests, which a malicious A answers with garbage.
        c.collect()
        var forged = 0
        while let i = c.inflight.indices.first {
            let m = c.inflight.remove(at: i)
            if m.to == 0, case .request(let r) = try SyncFrame.decode(m.bytes) {
                forged += 1
                let garbage = SyncFrame.response(ChunkResponse(requestID: r.requestID, status: .ok, data: rng.bytes(Int(r.size)))).encode()
                c.engines[1].handle(bytes: garbage, from: c.ids[0], now: c.now)
                // And an unsolicited response for a request never made.
                c.engines[1].handle(bytes: SyncFrame.response(ChunkResponse(requestID: 424242, status: .ok, data: [1])).encode(),
                                    from: c.ids[0], now: c.now)
                continue
            }
            c.engines[m.to].handle(bytes: m.bytes, from: c.ids[m.from], now: c.now)
            c.collect()
        }
        c.collect()
        #expect(forged > 0)
        #expect(try c.fss[1].info("f.bin") == nil, "a corrupt chunk must never be placed")
        #expect(c.events[1].contains { if case .pullFailed = $0 { true } else { false } })
        // An honest reconnect completes the pull.
        c.disconnect(0, 1)
        c.connectAll()
        c.converge()
        #expect(try c.fss[1].readAll("f.bin", limit: 1 << 20) == data)
    }
}
