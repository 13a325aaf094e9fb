import ControlAPI
import Daemon
import Foundation
import SyncFS
import Testing

/// Two (and three) daemons in one process, each with its own state folder, index database and
/// real directory, linked by in-process backpressured pipes in place of data channels.
@Suite struct TwoDaemonsTests {
    struct Pair {
        let dir: TempDir
        let a: SyncDaemon
        let b: SyncDaemon
        var aPath: String { dir.path + "/a-share" }
        var bPath: String { dir.path + "/b-share" }
    }

    func makePair() async throws -> Pair {
        let dir = TempDir()
        let a = try makeDaemon(dir, name: "a")
        let b = try makeDaemon(dir, name: "b")
        await a.start(); await b.start()
        _ = try await a.addDevice(AddDeviceRequest(id: b.deviceID, name: "b"))
        _ = try await b.addDevice(AddDeviceRequest(id: a.deviceID, name: "a"))
        return Pair(dir: dir, a: a, b: b)
    }

    func connect(_ p: Pair, folder: String) async -> Bool {
        let (la, lb) = PipePeerLink.pair(a: p.a.deviceID, b: p.b.deviceID, capacity: 16)
        let okA = await p.a.attach(la, folderID: folder)
        let okB = await p.b.attach(lb, folderID: folder)
        return okA && okB
    }

    /// path → SHA-256 of every regular file below `root` (the `.peersync` marker excluded).
    func hashes(_ root: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String {
            guard !rel.hasPrefix(".peersync") else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + rel) else { continue }
            out[rel] = SHA256Hasher.hash(Array(data)).bytes
        }
        return out
    }

    @Test func pairedDaemonsSyncADatasetBothWays() async throws {
        let p = try await makePair()
        var expected: [String: [UInt8]] = [:]
        for i in 0..<24 {
            let rel = "dir\(i % 4)/file\(i).bin"
            let bytes = sampleBytes(count: [0, 1, 900, 70_000, 300_000][i % 5] + i, seed: UInt64(i))
            try writeFile(p.aPath + "/" + rel, bytes)
            expected[rel] = SHA256Hasher.hash(bytes).bytes
        }
        _ = try await p.a.addFolder(AddFolderRequest(path: p.aPath, id: "share", devices: [p.b.deviceID]))
        _ = try await p.b.addFolder(AddFolderRequest(path: p.bPath, id: "share", devices: [p.a.deviceID]))
        let bEvents = p.b.subscribeEvents()
        #expect(await connect(p, folder: "share"))
        let bPath = p.bPath
        let want = expected
        // Files show on disk a moment before their index commit (placed, then made durable, then
        // committed): synced is when both are done.
        let b = p.b
        let synced = await waitUntil(bEvents) { [self] in
            guard hashes(bPath) == want else { return false }
            return await b.status().folders.first?.needFiles == 0
        }
        #expect(synced, "b has \(hashes(p.bPath).count) of \(expected.count) files")
        let status = await p.b.status()
        #expect(status.folders.first?.needFiles == 0)
        #expect(status.folders.first?.progress == 1)
        #expect(status.devices.first?.connected == true)
        #expect((status.devices.first?.bytesIn ?? 0) > 300_000)

        // An edit on b comes back to a.
        let aEvents = p.a.subscribeEvents()
        try writeFile(p.bPath + "/dir1/file1.bin", Array("edited on b".utf8))
        try await p.b.rescan("share")
        let aPath = p.aPath
        let back = await waitUntil(aEvents) { (try? String(contentsOfFile: aPath + "/dir1/file1.bin", encoding: .utf8)) == "edited on b" }
        #expect(back)
        await p.a.shutdown(); await p.b.shutdown()
    }

    @Test func unpairedOrUnsharedLinksAreRefused() async throws {
        let p = try await makePair()
        let c = try makeDaemon(p.dir, name: "c")
        _ = try await p.a.addFolder(AddFolderRequest(path: p.aPath, id: "share", devices: [p.b.deviceID]))
        _ = try await p.a.addFolder(AddFolderRequest(path: p.dir.path + "/private", id: "private"))
        // c knows a's ID, a does not know c.
        let (toA, _) = PipePeerLink.pair(a: p.a.deviceID, b: c.deviceID)
        #expect(await p.a.attach(toA, folderID: "share") == false)
        // b is paired but "private" is not shared with it.
        let (bToA, _) = PipePeerLink.pair(a: p.a.deviceID, b: p.b.deviceID)
        #expect(await p.a.attach(bToA, folderID: "private") == false)
        #expect(await p.a.sharedFolders(with: p.b.deviceID) == ["share"])
        await p.a.shutdown(); await p.b.shutdown(); await c.shutdown()
    }

    @Test func stateSurvivesARestart() async throws {
        let dir = TempDir()
        let a = try makeDaemon(dir, name: "a")
        let id = a.deviceID
        await a.start()
        _ = try await a.addFolder(AddFolderRequest(path: dir.path + "/x", id: "x", mode: "send-only"))
        await a.shutdown()
        let again = try makeDaemon(dir, name: "a")
        #expect(again.deviceID == id)
        await again.start()
        #expect(await again.listFolders() == [FolderInfo(id: "x", path: dir.path + "/x", mode: "send-only")])
        await again.shutdown()
    }
}
