import ArgumentParser
import ControlAPI
import Foundation

/// Options every command that talks to syncd shares.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The control socket (default: $PEERSYNC_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/peersync/syncd.sock).")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "Talk to the syncd started with this --state-dir (its socket is <dir>/syncd.sock).")
    var stateDir: String?

    /// The socket path to use.
    var socketPath: String {
        if let socket { return socket }
        if let stateDir { return stateDir + "/syncd.sock" }
        let env = PeerSyncPaths.processEnvironment()
        if let s = env["PEERSYNC_CONTROL_SOCKET"], !s.isEmpty { return s }
        return PeerSyncPaths.defaults(environment: env).controlSocket
    }

    /// A client for the socket.
    var client: ControlClient { ControlClient(socketPath: socketPath) }

    /// Runs `body`, turning control errors into a message and an exit code.
    func run<T>(_ body: (ControlClient) throws(ControlClientError) -> T) throws -> T {
        do { return try body(client) } catch { throw ExitStatus.report(error) }
    }
}

/// Prints `value` as pretty JSON.
func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}

/// Human-readable bytes (1024-based).
func formatBytes(_ n: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[i])
}

/// A text table with left-aligned columns.
func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}
