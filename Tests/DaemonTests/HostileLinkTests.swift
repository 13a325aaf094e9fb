import ControlAPI
import Daemon
import DTLS
import Foundation
import SyncProtocol
import Testing

/// A paired device that breaks the sync protocol, in process (the whole-daemon version is the
/// `hostile-peer` system scenario, issue #11): the daemon answers with Close("protocol error"),
/// then closes the stream itself, and `status` names the device and the reason.
@Suite struct HostileLinkTests {
    @Test func aProtocolErrorClosesTheStreamAndShowsInStatus() async throws {
        let dir = TempDir()
        let a = try makeDaemon(dir, name: "a")
        await a.start()
        let peer = try DeviceIdentity.generate().deviceID.description
        _ = try await a.addDevice(AddDeviceRequest(id: peer, name: "evil"))
        _ = try await a.addFolder(AddFolderRequest(path: dir.path + "/share", id: "share", devices: [peer]))
        let (toA, fromA) = PipePeerLink.pair(a: a.deviceID, b: peer, capacity: 16)
        #expect(await a.attach(toA, folderID: "share"))

        try await fromA.send(SyncFrame.hello(Hello(deviceID: peer, deviceName: "evil", folders: [
            .init(folderID: "share", indexID: 7, maxSequence: 1, peerIndexID: 0, peerMaxSequence: 0)])).encode())
        let record = FileRecord(path: SyncPath("../escape.txt"), kind: .file, deleted: true, sequence: 1)
        try await fromA.send(SyncFrame.index(IndexMessage(folderID: "share", indexID: 7, isUpdate: false, records: [record])).encode())

        // Everything a sends until it closes the stream; bounded so a stream left open fails the test.
        let frames: [SyncFrame]? = await withTaskGroup(of: [SyncFrame]?.self) { group in
            group.addTask {
                var out: [SyncFrame] = []
                for await bytes in fromA.incoming { if let f = try? SyncFrame.decode(bytes) { out.append(f) } }
                return out
            }
            group.addTask {
                // The bound: close our end, which also ends the reader above (a pipe's pop does
                // not observe cancellation).
                try? await Task.sleep(for: .seconds(120))
                await fromA.close()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let received = try #require(frames, "the daemon left the stream open after a protocol error")
        #expect(received.contains { if case .close(let c) = $0 { c.reason == "protocol error" } else { false } })
        let error = await a.status().folders.first?.error ?? ""
        #expect(error.contains(peer) && error.contains("invalid path"), "status says: \(error)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/escape.txt"))
        await a.shutdown()
    }
}
