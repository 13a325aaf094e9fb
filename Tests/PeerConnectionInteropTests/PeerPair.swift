import Foundation
import Testing

/// Test support: two peer processes (rtc-peer, or the aiortc script) whose stdout and stdin
/// are wired to each other through two pipes (so signaling flows directly), their stderr
/// collected, and their `RESULT {json}` lines parsed. Bounded by a wall-clock timeout.
final class PeerPair: @unchecked Sendable {
    // @unchecked: the processes and pipes are set up before `run()` and only read afterwards;
    // `logs` is written by the reader threads under `lock`.
    struct Command {
        var executable: String
        var arguments: [String]
    }

    let commands: [Command]
    private let lock = NSLock()
    private var logs: [String] = ["", ""]

    init(_ a: Command, _ b: Command) { commands = [a, b] }

    /// Runs both peers until both exit (or `timeout` seconds pass: then both are killed and
    /// the test fails). Returns each peer's RESULT object.
    func run(timeout: Double = 90) async throws -> [[String: Any]] {
        let ab = Pipe(), ba = Pipe()
        let processes = [Process(), Process()]
        let errors = [Pipe(), Pipe()]
        for (i, p) in processes.enumerated() {
            p.executableURL = URL(fileURLWithPath: commands[i].executable)
            p.arguments = commands[i].arguments
            p.standardOutput = i == 0 ? ab : ba
            p.standardInput = i == 0 ? ba : ab
            p.standardError = errors[i]
        }
        let readers = (0..<2).map { i in
            let handle = errors[i].fileHandleForReading
            let t = Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.lock()
                    logs[i] += String(decoding: chunk, as: UTF8.self)
                    lock.unlock()
                }
            }
            t.start()
            return t
        }
        _ = readers
        let exited = AsyncStream<Int>.makeStream()
        for (i, p) in processes.enumerated() {
            p.terminationHandler = { _ in exited.continuation.yield(i) }
            try p.run()
        }
        // The parent's copies of the pipe ends must close, or a child never sees EOF.
        try? ab.fileHandleForWriting.close()
        try? ba.fileHandleForWriting.close()
        try? ab.fileHandleForReading.close()
        try? ba.fileHandleForReading.close()
        let finished: Bool = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var count = 0
                for await _ in exited.stream {
                    count += 1
                    if count == 2 { return true }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            for p in processes where p.isRunning { p.terminate() }
            for p in processes { p.waitUntilExit() }
        }
        for p in processes { p.waitUntilExit() }
        // Let the reader threads see EOF.
        for e in errors { _ = try? e.fileHandleForReading.readToEnd() }
        let texts = lock.withLock { logs }
        guard finished else {
            throw PairError("peers did not finish within \(timeout) s\n--- A ---\n\(texts[0].suffix(3000))\n--- B ---\n\(texts[1].suffix(3000))")
        }
        var results: [[String: Any]] = []
        for (i, text) in texts.enumerated() {
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
                  let data = line.dropFirst("RESULT ".count).data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw PairError("peer \(i == 0 ? "A" : "B") printed no RESULT\n\(text.suffix(3000))")
            }
            results.append(object)
        }
        return results
    }

    /// The collected stderr of peer `i` (0 = A).
    func log(_ i: Int) -> String { lock.withLock { logs[i] } }
}

struct PairError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum Peers {
    static func packageRoot(_ file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The rtc-peer binary: `RTC_PEER_BIN`, else the debug build next to the tests.
    static func rtcPeer(_ arguments: [String]) throws -> PeerPair.Command {
        let env = ProcessInfo.processInfo.environment["RTC_PEER_BIN"]
        let path = env ?? packageRoot() + "/.build/debug/rtc-peer"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PairError("no rtc-peer at \(path): run `swift build --product rtc-peer` (or set RTC_PEER_BIN)")
        }
        return PeerPair.Command(executable: path, arguments: arguments + ["--loopback-only"])
    }

    /// The aiortc peer script under the venv's Python: `PEERSYNC_PYTHON`, else `<root>/.venv/bin/python`.
    static func aiortc(_ arguments: [String]) throws -> PeerPair.Command {
        var python = packageRoot() + "/.venv/bin/python"
        if let env = ProcessInfo.processInfo.environment["PEERSYNC_PYTHON"] { python = env }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw PairError("no Python with aiortc at \(python): set PEERSYNC_PYTHON or run contrib/setup.sh (creates .venv)")
        }
        return PeerPair.Command(executable: python, arguments: [packageRoot() + "/contrib/interop/aiortc_peer.py"] + arguments)
    }
}

extension Peers {
    /// Headless Chromium bridged by contrib/interop/chromium_peer.py (same CLI as rtc-peer).
    static func chromium(_ arguments: [String]) throws -> PeerPair.Command {
        let chromium = ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            throw PairError("no Chromium at \(chromium): run contrib/setup.sh (installs the Debian package chromium)")
        }
        var command = try aiortc(arguments)
        command.arguments[0] = packageRoot() + "/contrib/interop/chromium_peer.py"
        return command
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ k: String) -> String? { self[k] as? String }
    func int(_ k: String) -> Int? { self[k] as? Int }
}
