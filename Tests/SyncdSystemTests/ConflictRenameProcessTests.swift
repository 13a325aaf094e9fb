import ControlAPI
import Foundation
import Testing

/// Two real daemons over WebRTC on 127.0.0.1: a rename crosses processes, and both sides
/// editing the same file while paused ends in one winner plus a conflict copy on both sides,
/// listed by `syncctl conflicts list`.
@Suite(.serialized)
struct ConflictRenameProcessTests {
    @Test(.timeLimit(.minutes(2)))
    func renameCrossesAndConcurrentEditsLeaveAConflictCopyOnBothSides() async throws {
        let cluster = try ProcessCluster()
        let a = try cluster.startDaemon("a"), b = try cluster.startDaemon("b")
        let idA = try await SyncdProcessTests.identity(a).deviceID, idB = try await SyncdProcessTests.identity(b).deviceID
        _ = try await off { try a.request("POST", "/devices", body: AddDeviceRequest(id: idB, name: "b"), as: DeviceInfo.self) }
        _ = try await off { try b.request("POST", "/devices", body: AddDeviceRequest(id: idA, name: "a"), as: DeviceInfo.self) }

        let pathA = cluster.root + "/a/Shared", pathB = cluster.root + "/b/Shared"
        try SyncdProcessTests.write(pathA + "/doc.txt", Array("first version\n".utf8))
        try SyncdProcessTests.write(pathA + "/old/name.bin", SyncdProcessTests.bytes(100_000, seed: 3))
        try FileManager.default.createDirectory(atPath: pathB, withIntermediateDirectories: true)
        _ = try await off { try a.request("POST", "/folders", body: AddFolderRequest(path: pathA, id: "share", devices: [idB]), as: FolderInfo.self) }
        _ = try await off { try b.request("POST", "/folders", body: AddFolderRequest(path: pathB, id: "share", devices: [idA]), as: FolderInfo.self) }
        let synced = await poll(timeout: .seconds(40)) { SyncdProcessTests.hashes(pathB) == SyncdProcessTests.hashes(pathA) }
        #expect(synced, "initial sync did not converge\n\(cluster.allLogs())")

        // A rename (to another directory) on a reaches b: the new name appears, the old one goes.
        try FileManager.default.createDirectory(atPath: pathA + "/new", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: pathA + "/old/name.bin", toPath: pathA + "/new/renamed.bin")
        _ = try await cluster.syncctl("a", ["folders", "rescan", "share"])
        let renamed = await poll(timeout: .seconds(30)) {
            let h = SyncdProcessTests.hashes(pathB)
            return h["new/renamed.bin"] != nil && h["old/name.bin"] == nil && h == SyncdProcessTests.hashes(pathA)
        }
        #expect(renamed, "the rename did not cross: b has \(SyncdProcessTests.hashes(pathB).keys.sorted())\n\(cluster.allLogs())")

        // Both sides edit doc.txt while the folder is paused on both; then both resume.
        for side in ["a", "b"] {
            let r = try await cluster.syncctl(side, ["folders", "pause", "share"])
            #expect(r.status == 0, "pause on \(side): \(r.output)")
        }
        try SyncdProcessTests.write(pathA + "/doc.txt", Array("edited on a\n".utf8))
        try SyncdProcessTests.write(pathB + "/doc.txt", Array("edited on b, longer\n".utf8))
        for side in ["a", "b"] {
            let r = try await cluster.syncctl(side, ["folders", "resume", "share"])
            #expect(r.status == 0, "resume on \(side): \(r.output)")
            _ = try await cluster.syncctl(side, ["folders", "rescan", "share"])
        }
        func conflictCopies(_ root: String) -> [String] {
            SyncdProcessTests.hashes(root).keys.filter { $0.hasPrefix("doc.sync-conflict-") }.sorted()
        }
        let converged = await poll(timeout: .seconds(40)) {
            let ha = SyncdProcessTests.hashes(pathA), hb = SyncdProcessTests.hashes(pathB)
            return ha == hb && conflictCopies(pathA).count == 1
        }
        #expect(converged, "the conflict did not converge: a=\(SyncdProcessTests.hashes(pathA).keys.sorted()) b=\(SyncdProcessTests.hashes(pathB).keys.sorted())\n\(cluster.allLogs())")
        // One side's edit is the file, the other's is the copy.
        let files = [pathA + "/doc.txt"] + conflictCopies(pathA).map { pathA + "/" + $0 }
        let texts = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        #expect(Set(texts) == ["edited on a\n", "edited on b, longer\n"])
        for side in ["a", "b"] {
            let listed = try await cluster.syncctl(side, ["conflicts", "list"])
            #expect(listed.status == 0 && listed.output.contains("doc.txt") && listed.output.contains(".sync-conflict-"),
                    "syncctl conflicts list on \(side): \(listed.output)")
        }
    }
}
