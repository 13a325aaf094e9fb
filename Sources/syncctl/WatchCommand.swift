import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl watch`: live progress bars and rates, redrawn on every event; `--events` prints the raw event stream.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Watch folders sync live (Ctrl-C to stop).")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print each event as a JSON line instead of progress bars.") var events = false

    func run() throws {
        let client = options.client
        var lastDraw = Date.distantPast
        try options.run { c throws(ControlClientError) in
            try c.stream("/events") { line in
                if events { print(String(decoding: line, as: UTF8.self)); fflush(nil); return true }
                guard Date().timeIntervalSince(lastDraw) > 0.2 else { return true }
                lastDraw = Date()
                guard let s = try? client.request("GET", "/status", as: StatusReport.self) else { return false }
                print("\u{1B}[H\u{1B}[2J" + Self.bars(s), terminator: "")
                fflush(nil)
                return true
            }
        }
    }

    static func bars(_ s: StatusReport) -> String {
        var out = "PeerSync — \(s.identity.name)\n\n"
        for f in s.folders {
            let width = 30
            let filled = Int((f.progress * Double(width)).rounded())
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            out += "\(f.id.padding(toLength: 16, withPad: " ", startingAt: 0)) \(bar) \(String(format: "%5.1f%%", f.progress * 100))  "
                + "\(f.state)  need \(f.needFiles) files / \(formatBytes(f.needBytes))  \(formatBytes(UInt64(max(0, f.rateBytesPerSecond))))/s\n"
        }
        let connected = s.devices.filter(\.connected).map(\.name)
        out += "\ndevices connected: \(connected.isEmpty ? "none" : connected.joined(separator: ", "))\n"
        for call in s.calls ?? s.call.map({ [$0] }) ?? [] { out += CallShow.render(call) + "\n" }
        for screen in s.screens ?? [] { out += ScreenShow.render(screen) + "\n" }
        return out
    }
}
