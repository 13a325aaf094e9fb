import Foundation
import Testing

/// Test support: a child process (aioice's Python peer, coturn) with JSON-lines stdout parsed
/// into an `AsyncStream`, killed when the test ends.
final class ExternalProcess: @unchecked Sendable {
    // @unchecked: `Process` and `Pipe` are thread-safe for the calls used here (write to stdin
    // from the test task, one reader thread for stdout, terminate once).
    let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    let lines: AsyncStream<String>

    init(executable: String, arguments: [String], captureOutput: Bool = true) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = captureOutput ? stdout : FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream<String>.makeStream()
        lines = stream
        try process.run()
        guard captureOutput else { continuation.finish(); return }
        let handle = stdout.fileHandleForReading
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    continuation.yield(line)
                }
            }
            continuation.finish()
        }
    }

    /// Writes one JSON object as a line to the child's stdin.
    func send(_ object: [String: any Sendable]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return }
        // A child that already exited must fail the test with its own error, not crash the
        // test process: the throwing API reports EPIPE instead of trapping.
        try? stdin.fileHandleForWriting.write(contentsOf: data + Data([0x0A]))
    }

    /// Stops the child with SIGKILL (coturn ignores SIGTERM while it has sessions); Foundation reaps it.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A JSON message from a peer script.
struct PeerMessage: Sendable {
    let type: String
    let text: [String: String]
    let candidates: [String]

    init?(line: String) {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let type = object["type"] as? String else { return nil }
        self.type = type
        var text = [String: String]()
        for (k, v) in object { if let s = v as? String { text[k] = s } }
        self.text = text
        candidates = object["candidates"] as? [String] ?? []
    }
}

enum InteropEnvironment {
    /// The Python with aioice: `PEERSYNC_PYTHON`, else `<package root>/.venv/bin/python`.
    static func python() throws -> String {
        if let env = ProcessInfo.processInfo.environment["PEERSYNC_PYTHON"], FileManager.default.isExecutableFile(atPath: env) {
            return env
        }
        let candidate = packageRoot() + "/.venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw InteropError.missing("no Python with aioice: set PEERSYNC_PYTHON or run contrib/setup.sh (creates .venv)")
    }

    static func packageRoot(_ file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

enum InteropError: Error, CustomStringConvertible {
    case missing(String)
    case timeout(String)
    case unexpected(String)

    var description: String {
        switch self {
        case .missing(let s), .timeout(let s), .unexpected(let s): return s
        }
    }
}

/// Runs `body` with a wall-clock bound (a bound on a test, not a way of waiting for something).
/// The whole test pass runs in parallel on two cores and every test waits ~40-60 s for CPU in
/// it, so bounds are hang bounds well above the pass's length (120 s), never speed limits.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw InteropError.timeout("\(what) did not finish within \(seconds) s")
        }
        return value
    }
}
