import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl status`: folders and devices at a glance; `--json` for scripts.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the state of every folder and device.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON (stable field names, for scripts).") var json = false

    func run() throws {
        let s = try options.run { c throws(ControlClientError) in try c.request("GET", "/status", as: StatusReport.self) }
        if json { printJSON(s); return }
        print(Self.render(s))
    }

    /// The human-readable report.
    static func render(_ s: StatusReport) -> String {
        var out = "This device: \(s.identity.name)  \(s.identity.deviceID)\n\n"
        if s.folders.isEmpty {
            out += "No folders. Share one with `syncctl folders add <path> --with <device>`.\n"
        } else {
            out += table(["FOLDER", "STATE", "LOCAL", "GLOBAL", "NEED", "PROGRESS", "RATE", "PATH"], s.folders.map { f in
                ["\(f.id)", f.state + (f.error.map { _ in " (!)" } ?? ""), "\(f.localFiles) / \(formatBytes(f.localBytes))",
                 "\(f.globalFiles) / \(formatBytes(f.globalBytes))", "\(f.needFiles) / \(formatBytes(f.needBytes))",
                 String(format: "%.0f%%", f.progress * 100), formatBytes(UInt64(max(0, f.rateBytesPerSecond))) + "/s", f.path]
            }) + "\n"
            for f in s.folders { if let e = f.error { out += "  \(f.id): \(e)\n" } }
        }
        out += "\n"
        if s.devices.isEmpty {
            out += "No paired devices. Pair one with `syncctl pair` or `syncctl devices add <ID>`."
        } else {
            out += table(["DEVICE", "CONNECTED", "VIA", "RTT", "IN", "OUT", "LAST SEEN", "ID"], s.devices.map { d in
                [d.name, d.connected ? "yes" : "no", d.connectionType ?? "-", d.rttMilliseconds.map { String(format: $0 < 10 ? "%.2f ms" : "%.0f ms", $0) } ?? "-",
                 formatBytes(d.bytesIn), formatBytes(d.bytesOut),
                 d.lastSeen.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) } ?? "never", String(d.id.prefix(15)) + "…"]
            })
            for d in s.devices where !d.connected { if let p = d.problem { out += "\n  \(d.name): not connected: \(p)" } }
        }
        if let calls = s.calls ?? s.call.map({ [$0] }) { out += "\n\n" + calls.map(CallShow.render).joined(separator: "\n") }
        for screen in s.screens ?? [] { out += "\n" + ScreenShow.render(screen) }
        return out
    }
}
