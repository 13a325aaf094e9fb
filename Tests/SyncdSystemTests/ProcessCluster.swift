import ControlAPI
import Foundation

/// Real processes on loopback for system tests: one `syncd-rendezvous` and any number of
/// `syncd` daemons, each with its own home, state folder and `XDG_RUNTIME_DIR` (so its own
/// control socket) under one temporary folder. Everything is killed and removed at the end.
final class ProcessCluster: @unchecked Sendable {
    // @unchecked: `processes` is only touched by the test task that owns the cluster.
    let root: String
    let port: Int
    private var processes: [(name: String, process: Process)] = []
    private var launches: [String: (executable: String, arguments: [String], environment: [String: String])] = [:]

    /// The folder of the built executables: `PEERSYNC_BIN`, else `<package>/.build/debug`.
    static let binDirectory: String = {
        if let env = ProcessInfo.processInfo.environment["PEERSYNC_BIN"], !env.isEmpty { return env }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.path + "/.build/debug"
    }()

    /// A cluster with a rendezvous server already started on a free loopback port.
    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/peersync-sys-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = try Self.freePort()
        try launch("rendezvous", "syncd-rendezvous", ["--host", "127.0.0.1", "--port", "\(port)"], environment: [:])
    }

    deinit {
        stopAll()
        if ProcessInfo.processInfo.environment["PEERSYNC_KEEP_TEST_DIR"] == nil { try? FileManager.default.removeItem(atPath: root) }
    }

    /// The rendezvous URL.
    var rendezvousURL: String { "ws://127.0.0.1:\(port)/ws" }

    /// Starts a daemon `name` (its folder: `<root>/<name>`), with `settings` added to its
    /// configuration file (e.g. `["maxCalls": 1]`); returns its control client.
    @discardableResult
    func startDaemon(_ name: String, settings: [String: Int] = [:]) throws -> ControlClient {
        let home = root + "/" + name
        try FileManager.default.createDirectory(atPath: home + "/run", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let config = """
        {
            "deviceName": "\(name)",
            "stateDirectory": "\(home)/state",
            "rendezvousURL": "\(rendezvousURL)",
            "iceInterfaces": "loopback",
            "logLevel": "debug",
            "logFormat": "text"\(settings.sorted { $0.key < $1.key }.map { ",\n    \"\($0.key)\": \($0.value)" }.joined())
        }
        """
        try config.write(toFile: home + "/syncd.json", atomically: true, encoding: .utf8)
        try launch(name, "syncd", ["--config", home + "/syncd.json"],
                   environment: ["HOME": home, "XDG_RUNTIME_DIR": home + "/run"])
        return client(name)
    }

    /// The control client of daemon `name`.
    func client(_ name: String) -> ControlClient { ControlClient(socketPath: root + "/" + name + "/run/peersync/syncd.sock") }

    /// The log of process `name` so far.
    func log(_ name: String) -> String { (try? String(contentsOfFile: root + "/" + name + ".log", encoding: .utf8)) ?? "" }

    /// Runs `syncctl` against daemon `name` and waits for it (bounded); returns the exit status and output.
    func syncctl(_ name: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binDirectory + "/syncctl")
        p.arguments = arguments + ["--socket", root + "/" + name + "/run/peersync/syncd.sock"]
        let out = root + "/syncctl-\(UUID().uuidString.prefix(6)).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let done = await poll(timeout: timeout, every: .milliseconds(50)) { !p.isRunning }
        if !done { p.terminate() }
        p.waitUntilExit()
        try? handle.close()
        return (done ? p.terminationStatus : -1, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    /// Starts `syncctl` without waiting; its output goes to the returned file.
    func startSyncctl(_ name: String, _ arguments: [String]) throws -> (Process, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binDirectory + "/syncctl")
        p.arguments = arguments + ["--socket", root + "/" + name + "/run/peersync/syncd.sock"]
        let out = root + "/syncctl-\(UUID().uuidString.prefix(6)).out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        processes.append(("syncctl", p))
        return (p, out)
    }

    /// Sends SIGTERM to every process, then SIGKILL to those still running after 5 s.
    func stopAll() {
        for (_, p) in processes where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        for (_, p) in processes {
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        processes.removeAll()
    }

    /// Every log, for a failure message.
    func allLogs() -> String {
        var out = ""
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
        for n in names { out += "==== \(n)\n" + (log(String(n.dropLast(4))).split(separator: "\n").suffix(60).joined(separator: "\n")) + "\n" }
        return out
    }

    /// Stops process `name` with `signal` (SIGTERM: graceful; SIGKILL: a crash) and waits for it to exit (bounded).
    func stop(_ name: String, signal: Int32 = SIGTERM) async {
        guard let i = processes.firstIndex(where: { $0.name == name }) else { return }
        let p = processes.remove(at: i).process
        kill(p.processIdentifier, signal)
        if !(await poll(timeout: .seconds(10), every: .milliseconds(20)) { !p.isRunning }) { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// Starts process `name` again with the same executable, arguments and environment (the log is appended to).
    func restart(_ name: String) throws {
        guard let l = launches[name] else { throw ClusterError("\(name) was never started") }
        try launch(name, l.executable, l.arguments, environment: l.environment)
    }

    private func launch(_ name: String, _ executable: String, _ arguments: [String], environment: [String: String]) throws {
        launches[name] = (executable, arguments, environment)
        let path = Self.binDirectory + "/" + executable
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ClusterError("\(path) is missing: build first (`swift build`), or set PEERSYNC_BIN")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["JOURNAL_STREAM"] = nil
        env["NOTIFY_SOCKET"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let logPath = root + "/" + name + ".log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        try? handle.close()
        processes.append((name, p))
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw ClusterError("bind failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A setup failure of a system test.
struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Checks `condition` until it holds or `timeout` passes (a bound, not a wait for time);
/// returns whether it held.
func poll(timeout: Duration, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if (try? await condition()) == true { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Runs the blocking control client off Swift's cooperative pool.
func off<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}
