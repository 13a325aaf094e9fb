import ControlAPI
import DTLS
import Daemon
import Foundation
import Testing

/// The control API end to end: a real daemon, its HTTP server on a real Unix socket, the client syncctl uses.
@Suite struct ControlSocketTests {
    /// Runs `body` with a daemon serving on its control socket; stops both afterwards.
    func withServer(_ body: @Sendable (SyncDaemon, ControlClient, TempDir) async throws -> Void) async throws {
        let dir = TempDir()
        let daemon = try makeDaemon(dir, name: "a")
        await daemon.start()
        let socket = daemon.config.controlSocket
        let server = ControlServer(socketPath: socket, service: ControlService(backend: daemon), logger: quietLogger)
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let task = Task { try await server.run(ready: { readyContinuation.yield() }) }
        for await _ in ready { break }
        do { try await body(daemon, ControlClient(socketPath: socket), dir) } catch {
            task.cancel(); await daemon.shutdown(); throw error
        }
        task.cancel()
        _ = await task.result
        await daemon.shutdown()
        #expect(!FileManager.default.fileExists(atPath: socket), "socket left behind")
    }

    @Test func socketIsPrivateAndAnswersIdentity() async throws {
        try await withServer { daemon, client, _ in
            var st = stat()
            #expect(stat(daemon.config.controlSocket, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600)
            let id = try await off { try client.request("GET", "/identity", as: IdentityInfo.self) }
            #expect(id.deviceID == daemon.identity.deviceID.description)
            #expect(id.name == "a")
            // A second daemon on the same socket is refused instead of stealing it.
            let second = ControlServer(socketPath: daemon.config.controlSocket, service: ControlService(backend: daemon), logger: quietLogger)
            await #expect(throws: DaemonError.self) { try await second.run() }
        }
    }

    @Test func devicesFoldersStatusAndErrors() async throws {
        try await withServer { daemon, client, dir in
            let peer = try DeviceIdentity.generate()
            let added = try await off { try client.request("POST", "/devices", body: AddDeviceRequest(id: peer.deviceID.compactString, name: "b"), as: DeviceInfo.self) }
            #expect(added.id == peer.deviceID.description)
            _ = try await off { try client.request("POST", "/devices/\(added.id)/rename", body: RenameRequest(name: "bee"), as: ControlClient.Empty.self) }
            let devices = try await off { try client.request("GET", "/devices", as: [DeviceInfo].self) }
            #expect(devices.map(\.name) == ["bee"])
            #expect(devices.first?.connected == false)

            let path = dir.path + "/docs"
            try writeFile(path + "/hello.txt", Array("hello".utf8))
            let events = daemon.subscribeEvents()
            let folder = try await off { try client.request("POST", "/folders", body: AddFolderRequest(path: path, id: "docs", devices: [added.id]), as: FolderInfo.self) }
            #expect(folder.devices == [added.id])
            // Adding returns once the first scan has begun; the file is counted once it commits
            // (its local-change event follows the commit).
            _ = await waitUntil(events, timeout: .seconds(30)) {
                (try? await off { try client.request("GET", "/status", as: StatusReport.self) })?.folders.first?.localFiles == 1
            }
            let status = try await off { try client.request("GET", "/status", as: StatusReport.self) }
            #expect(status.folders.first?.localFiles == 1)
            #expect(status.folders.first?.localBytes == 5)
            #expect(status.folders.first?.progress == 1)

            _ = try await off { try client.request("PUT", "/folders/docs/ignore", body: IgnorePatterns(patterns: ["*.tmp"]), as: ControlClient.Empty.self) }
            #expect(try await off { try client.request("GET", "/folders/docs/ignore", as: IgnorePatterns.self) }.patterns == ["*.tmp"])
            _ = try await off { try client.request("POST", "/folders/docs/pause", body: Optional<Int>.none, as: ControlClient.Empty.self) }
            #expect(try await off { try client.request("GET", "/folders", as: [FolderInfo].self) }.first?.paused == true)
            #expect(try await off { try client.request("GET", "/status", as: StatusReport.self) }.folders.first?.state == "paused")
            _ = try await off { try client.request("POST", "/folders/docs/resume", body: Optional<Int>.none, as: ControlClient.Empty.self) }

            // Errors say what happened and what to do.
            do {
                _ = try await off { try client.request("POST", "/folders/nope/rescan", body: Optional<Int>.none, as: ControlClient.Empty.self) }
                Issue.record("rescan of a missing folder succeeded")
            } catch {
                guard case .server(let code, let body)? = error as? ControlClientError else { Issue.record("\(error)"); return }
                #expect(code == 404)
                #expect(body.error == "no folder nope")
                #expect(body.hint == "see `syncctl folders list`")
            }
            do {
                _ = try await off { try client.request("POST", "/folders", body: AddFolderRequest(path: path + "/inner", id: "x"), as: FolderInfo.self) }
                Issue.record("overlapping folder accepted")
            } catch {
                #expect("\(error)".contains("overlaps folder docs"))
            }
            do {
                _ = try await off { try client.request("POST", "/pairing/code", body: Optional<Int>.none, as: PairingInfo.self) }
            } catch {
                #expect("\(error)".contains("syncctl devices add"))
            }
            _ = try await off { try client.request("DELETE", "/devices/\(added.id)", as: ControlClient.Empty.self) }
            #expect(try await off { try client.request("GET", "/folders", as: [FolderInfo].self) }.first?.devices == [])
        }
    }

    @Test func eventStreamDeliversChanges() async throws {
        try await withServer { _, client, dir in
            let path = dir.path + "/f"
            _ = try await off { try client.request("POST", "/folders", body: AddFolderRequest(path: path, id: "f"), as: FolderInfo.self) }
            let types: [String] = try await off {
                var types: [String] = []
                try? client.stream("/events") { line in
                    let e = try? JSONDecoder().decode(ControlEvent.self, from: line)
                    types.append(e?.type ?? "?")
                    if e?.type == "hello" {
                        try? writeFile(path + "/new.txt", [1, 2, 3])
                        _ = try? client.request("POST", "/folders/f/rescan", body: Optional<Int>.none, as: ControlClient.Empty.self)
                    }
                    return e?.type != "local-changed"
                }
                return types
            }
            #expect(types.first == "hello")
            #expect(types.last == "local-changed")
        }
    }

    @Test func notRunningDaemonGivesInstructions() {
        let client = ControlClient(socketPath: "/nonexistent/peersync/syncd.sock")
        do {
            _ = try client.request("GET", "/identity", as: IdentityInfo.self)
            Issue.record("connected to nothing")
        } catch {
            #expect(error == .daemonNotRunning(socket: "/nonexistent/peersync/syncd.sock"))
            #expect("\(error)".contains("systemctl --user start syncd"))
        }
    }
}
