import ControlAPI
import Daemon
import Foundation
import Logging
import WireKit

/// A temporary directory removed at the end of the test.
final class TempDir: Sendable {
    let path: String
    init() {
        let base = FileManager.default.temporaryDirectory.path + "/peersync-daemon-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A daemon in its own state folder under `dir`.
func makeDaemon(_ dir: TempDir, name: String) throws -> SyncDaemon {
    var config = DaemonConfig.defaults(environment: ["HOME": dir.path])
    config.deviceName = name
    config.stateDirectory = dir.path + "/\(name)/state"
    config.controlSocket = dir.path + "/\(name)/syncd.sock"
    return try SyncDaemon(config: config, logger: quietLogger)
}

/// Waits for `condition` to hold, checking it first and then after each event of `events`;
/// gives up after `timeout` (a bound, not a wait for something).
func waitUntil(_ events: AsyncStream<ControlEvent>, timeout: Duration = .seconds(120),
               _ condition: @escaping @Sendable () async -> Bool) async -> Bool {
    if await condition() { return true }
    return await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await _ in events { if await condition() { return true } }
            return await condition()
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return await condition()
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

/// Writes `bytes` to `path`, creating parent directories.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Deterministic pseudo-random bytes for datasets.
func sampleBytes(count: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededRandom(seed: seed)
    return rng.bytes(count)
}

/// Runs blocking work (the synchronous control client) on a dispatch thread, off Swift's
/// cooperative pool, which has only as many threads as cores and must keep serving the daemon.
func off<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}
