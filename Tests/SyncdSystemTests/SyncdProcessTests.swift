import ControlAPI
import Foundation
import SyncFS
import Testing
import WireKit

/// syncd as people run it: a `syncd-rendezvous` and several `syncd` processes on 127.0.0.1,
/// connected over WebRTC data channels, driven through their control sockets and `syncctl`.
@Suite(.serialized) struct SyncdProcessTests {
    /// path → SHA-256 (hex) of every regular file below `root` (the `.peersync` folder excluded).
    static func hashes(_ root: String) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String {
            guard !rel.hasPrefix(".peersync") else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + rel) else { continue }
            out[rel] = SHA256Hasher.hash(Array(data)).bytes.map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        return rng.bytes(count)
    }

    static func identity(_ c: ControlClient) async throws -> IdentityInfo {
        var id: IdentityInfo?
        _ = await poll(timeout: .seconds(20)) {
            id = try? await off { try c.request("GET", "/identity", as: IdentityInfo.self) }
            return id != nil
        }
        guard let id else { throw ClusterError("syncd did not answer on \(c.socketPath)") }
        return id
    }

    static func devices(_ c: ControlClient) async throws -> [DeviceInfo] {
        try await off { try c.request("GET", "/devices", as: [DeviceInfo].self) }
    }

    @Test(.timeLimit(.minutes(2)))
    func twoDaemonsSyncOverWebRTCAndAnUnpairedThirdIsRefused() async throws {
        let cluster = try ProcessCluster()
        let a = try cluster.startDaemon("a"), b = try cluster.startDaemon("b"), c = try cluster.startDaemon("c")
        let idA = try await Self.identity(a).deviceID, idB = try await Self.identity(b).deviceID, idC = try await Self.identity(c).deviceID

        // Pair a and b by ID; c knows a's ID and trusts it, but a never heard of c.
        _ = try await off { try a.request("POST", "/devices", body: AddDeviceRequest(id: idB, name: "b"), as: DeviceInfo.self) }
        _ = try await off { try b.request("POST", "/devices", body: AddDeviceRequest(id: idA, name: "a"), as: DeviceInfo.self) }
        _ = try await off { try c.request("POST", "/devices", body: AddDeviceRequest(id: idA, name: "a"), as: DeviceInfo.self) }

        // A dataset on both sides (a 3 MiB file makes frames larger than one data channel message).
        let pathA = cluster.root + "/a/Shared", pathB = cluster.root + "/b/Shared", pathC = cluster.root + "/c/Shared"
        for i in 0..<20 {
            try Self.write(pathA + "/dir\(i % 3)/file\(i).bin", Self.bytes([0, 10, 4_000, 70_000, 200_000][i % 5] + i, seed: UInt64(i)))
        }
        try Self.write(pathA + "/big.bin", Self.bytes(3 << 20, seed: 99))
        try Self.write(pathB + "/from-b.txt", Array("made on b\n".utf8))
        try Self.write(pathC + "/from-c.txt", Array("c must not get in\n".utf8))

        var expected = Self.hashes(pathA)
        expected.merge(Self.hashes(pathB)) { x, _ in x }
        #expect(expected.count == 22)
        _ = try await off { try a.request("POST", "/folders", body: AddFolderRequest(path: pathA, id: "share", devices: [idB]), as: FolderInfo.self) }
        _ = try await off { try b.request("POST", "/folders", body: AddFolderRequest(path: pathB, id: "share", devices: [idA]), as: FolderInfo.self) }
        _ = try await off { try c.request("POST", "/folders", body: AddFolderRequest(path: pathC, id: "share", devices: [idA]), as: FolderInfo.self) }

        let synced = await poll(timeout: .seconds(40)) { Self.hashes(pathA) == expected && Self.hashes(pathB) == expected }
        #expect(synced, "initial sync did not converge\n\(cluster.allLogs())")

        // Status: b is connected to a over a host candidate, with an RTT from getStats.
        let ok = await poll(timeout: .seconds(10)) {
            let d = try await Self.devices(a).first { $0.id == idB }
            return d?.connected == true && d?.connectionType == "host" && d?.rttMilliseconds != nil
        }
        let seen = try? await Self.devices(a)
        #expect(ok, "a does not report b connected via host with an RTT: \(String(describing: seen))")

        // An edit on a, a new file and a delete on b.
        try Self.write(pathA + "/dir0/file0.bin", Array("edited on a\n".utf8))
        try Self.write(pathB + "/new-on-b.bin", Self.bytes(150_000, seed: 7))
        try FileManager.default.removeItem(atPath: pathB + "/dir1/file1.bin")
        expected["dir0/file0.bin"] = Self.hashes(pathA)["dir0/file0.bin"]
        expected["new-on-b.bin"] = Self.hashes(pathB)["new-on-b.bin"]
        expected["dir1/file1.bin"] = nil
        let edited = await poll(timeout: .seconds(30)) { Self.hashes(pathA) == expected && Self.hashes(pathB) == expected }
        #expect(edited, "edit/delete did not converge: a=\(Self.hashes(pathA).count) b=\(Self.hashes(pathB).count) files\n\(cluster.allLogs())")

        // c knows a's ID but is not paired on a's side: a refuses it, nothing crosses.
        let refused = await poll(timeout: .seconds(15)) { cluster.log("a").contains("refused a connection attempt from device \(idC)") }
        #expect(refused, "a did not log the refusal of c\n\(cluster.allLogs())")
        let cDevices = try await Self.devices(c)
        #expect(cDevices.first { $0.id == idA }?.connected == false)
        #expect(try await Self.devices(a).contains { $0.id == idC } == false)
        #expect(Self.hashes(pathC).keys.sorted() == ["from-c.txt"])
        #expect(Self.hashes(pathA)["from-c.txt"] == nil)
    }

    @Test(.timeLimit(.minutes(2)))
    func pairingByCodeWithSyncctlThenSync() async throws {
        let cluster = try ProcessCluster()
        let a = try cluster.startDaemon("a"), b = try cluster.startDaemon("b")
        let idA = try await Self.identity(a).deviceID, idB = try await Self.identity(b).deviceID

        // A wrong code fails on both sides and pairs nothing.
        let wrong = try await off { try a.request("POST", "/pairing/code", body: Optional<Int>.none, as: PairingInfo.self) }
        let parts = wrong.code.split(separator: "-")
        let badWord = parts[1] == "abandon" ? "ability" : "abandon"
        let bad = try await cluster.syncctl("b", ["pair", "\(parts[0])-\(badWord)-\(parts[2])"])
        #expect(bad.status == 1, "joining with a wrong code: \(bad.output)")
        let aFailed = await poll(timeout: .seconds(10)) {
            try await off { try a.request("GET", "/pairing/" + wrong.code, as: PairingInfo.self) }.state == "failed"
        }
        #expect(aFailed)
        let noneA = try await Self.devices(a), noneB = try await Self.devices(b)
        #expect(noneA.isEmpty && noneB.isEmpty)

        // `syncctl pair` on a prints a code and waits; `syncctl pair <code>` on b joins.
        let (waiter, outPath) = try cluster.startSyncctl("a", ["pair"])
        var code: String?
        _ = await poll(timeout: .seconds(20)) {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            code = text.split(separator: "\n").first { $0.contains("syncctl pair ") }?.split(separator: " ").last.map(String.init)
            return code != nil
        }
        let joinCode = try #require(code, "syncctl pair printed no code")
        let joined = try await cluster.syncctl("b", ["pair", joinCode])
        #expect(joined.status == 0, "syncctl pair <code>: \(joined.output)")
        #expect(joined.output.contains(idA))
        let waited = await poll(timeout: .seconds(20)) { !waiter.isRunning }
        #expect(waited && waiter.terminationStatus == 0, "syncctl pair: \((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "")")
        #expect(try await Self.devices(a).map(\.id) == [idB])
        #expect(try await Self.devices(b).map(\.id) == [idA])

        // The pair connects and syncs.
        let pathA = cluster.root + "/a/Docs", pathB = cluster.root + "/b/Docs"
        try Self.write(pathA + "/hello.txt", Array("paired by code\n".utf8))
        #expect(try await cluster.syncctl("a", ["folders", "add", pathA, "--id", "docs", "--with", idB]).status == 0)
        #expect(try await cluster.syncctl("b", ["folders", "add", pathB, "--id", "docs", "--with", idA]).status == 0)
        let synced = await poll(timeout: .seconds(30)) { Self.hashes(pathB) == Self.hashes(pathA) && !Self.hashes(pathB).isEmpty }
        #expect(synced, "\(cluster.allLogs())")
        let status = try await cluster.syncctl("b", ["status"])
        #expect(status.output.contains("host"), "\(status.output)")
    }

    @Test(.timeLimit(.minutes(2)))
    func daemonsReconnectAfterARendezvousRestartAndAPeerCrash() async throws {
        let cluster = try ProcessCluster()
        let a = try cluster.startDaemon("a"), b = try cluster.startDaemon("b")
        let idA = try await Self.identity(a).deviceID, idB = try await Self.identity(b).deviceID
        _ = try await off { try a.request("POST", "/devices", body: AddDeviceRequest(id: idB), as: DeviceInfo.self) }
        _ = try await off { try b.request("POST", "/devices", body: AddDeviceRequest(id: idA), as: DeviceInfo.self) }
        let pathA = cluster.root + "/a/Shared", pathB = cluster.root + "/b/Shared"
        try Self.write(pathA + "/one.txt", Array("one\n".utf8))
        _ = try await off { try a.request("POST", "/folders", body: AddFolderRequest(path: pathA, id: "f", devices: [idB]), as: FolderInfo.self) }
        _ = try await off { try b.request("POST", "/folders", body: AddFolderRequest(path: pathB, id: "f", devices: [idA]), as: FolderInfo.self) }
        #expect(await poll(timeout: .seconds(30)) { Self.hashes(pathB) == Self.hashes(pathA) }, "\(cluster.allLogs())")

        // The rendezvous server restarts: the peer-to-peer connection does not need it.
        await cluster.stop("rendezvous")
        try Self.write(pathA + "/two.txt", Array("two\n".utf8))
        #expect(await poll(timeout: .seconds(20)) { Self.hashes(pathB)["two.txt"] != nil }, "\(cluster.allLogs())")
        try cluster.restart("rendezvous")
        let signedIn = await poll(timeout: .seconds(30)) {
            cluster.log("a").components(separatedBy: "signed in to the rendezvous server").count >= 3
                && cluster.log("b").components(separatedBy: "signed in to the rendezvous server").count >= 3
        }
        #expect(signedIn, "the daemons did not sign in to the restarted rendezvous server\n\(cluster.allLogs())")

        // b crashes and comes back: a new connection is set up through the new rendezvous server.
        await cluster.stop("b", signal: SIGKILL)
        try Self.write(pathA + "/three.txt", Array("three\n".utf8))
        try cluster.restart("b")
        #expect(await poll(timeout: .seconds(30)) { Self.hashes(pathB) == Self.hashes(pathA) && Self.hashes(pathA).count == 3 },
                "\(cluster.allLogs())")
        let connected = await poll(timeout: .seconds(10)) { try await Self.devices(a).first?.connected == true }
        #expect(connected)
    }
}
