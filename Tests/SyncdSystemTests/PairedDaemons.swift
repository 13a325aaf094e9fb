import ControlAPI
import Foundation
import Testing

/// One daemon of ``ProcessCluster/startPaired(_:settings:)``: its process name, device ID,
/// control client and shared folder.
struct PairedDaemon: Sendable {
    /// The process and folder name (`a`, `b`, …).
    let name: String
    /// The name the other daemons know it by.
    let nickname: String
    /// Its device ID.
    let id: String
    /// Its control client.
    let client: ControlClient
    /// Its copy of the shared folder `share`.
    let folder: String
}

extension ProcessCluster {
    /// Starts one daemon per `(name, nickname)`, pairs every one with every other (each knows
    /// the others by their nicknames), shares folder `share` among all of them, and waits until
    /// the first one's `hello.txt` reached every other (so every pair with the first is connected).
    /// `settings` adds configuration keys per daemon name.
    func startPaired(_ daemons: [(name: String, nickname: String)], settings: [String: [String: Int]] = [:]) async throws -> [PairedDaemon] {
        var started: [PairedDaemon] = []
        for d in daemons {
            let client = try startDaemon(d.name, settings: settings[d.name] ?? [:])
            let id = try await SyncdProcessTests.identity(client).deviceID
            started.append(PairedDaemon(name: d.name, nickname: d.nickname, id: id, client: client, folder: root + "/" + d.name + "/Shared"))
        }
        for d in started {
            for other in started where other.id != d.id {
                let request = AddDeviceRequest(id: other.id, name: other.nickname)
                _ = try await off { try d.client.request("POST", "/devices", body: request, as: DeviceInfo.self) }
            }
        }
        guard let first = started.first else { return [] }
        try SyncdProcessTests.write(first.folder + "/hello.txt", Array("hello\n".utf8))
        for d in started {
            let request = AddFolderRequest(path: d.folder, id: "share", devices: started.filter { $0.id != d.id }.map(\.id))
            _ = try await off { try d.client.request("POST", "/folders", body: request, as: FolderInfo.self) }
        }
        let synced = await poll(timeout: .seconds(30)) {
            started.dropFirst().allSatisfy { SyncdProcessTests.hashes($0.folder)["hello.txt"] != nil }
        }
        #expect(synced, "the daemons did not connect\n\(allLogs())")
        return started
    }
}
