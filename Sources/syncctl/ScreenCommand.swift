import ArgumentParser
import ControlAPI
import Foundation

/// `syncctl screen share <device>|stop|watch|status`: screen sharing with paired devices (VP8).
struct ScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen", abstract: "Share a screen with a paired device, or watch the one shared with you.",
        discussion: """
        `syncctl screen share <device>` sends syncd's X11 screen ($DISPLAY; or a moving test pattern without one, \
        or --source FILE.y4m) as VP8; on the other \
        device `syncctl screen watch | ffplay -` shows it (watch writes YUV4MPEG2 to stdout or --output). Up to 4 \
        shares each way at once, one per device: `screen stop <device>` and `screen watch --from <device>` then name one.
        """,
        subcommands: [ScreenShare.self, ScreenStop.self, ScreenWatch.self, ScreenShow.self])
}

/// `syncctl screen share <device>`.
struct ScreenShare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "share", abstract: "Share the screen with a device.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The device: its name, ID, or an ID prefix.") var device: String
    @Option(name: .long, help: "What to share: x11 (syncd's $DISPLAY), x11:<display>, pattern, pattern:<W>x<H>, or a Y4M file (played in a loop). Default: the X11 screen when syncd has a reachable $DISPLAY, else the pattern.") var source: String?
    @Option(name: .long, help: "Frame size <W>x<H> for the X11 screen (scaled to cover, edges cropped; default: the screen's own, up to 1920x1088) or the pattern.") var size: String?
    @Option(name: .long, help: "Frames per second (1–30).") var fps: Int = 15

    func run() throws {
        var src = source
        if let s = source, s != "pattern", !s.hasPrefix("pattern:"), s != "x11", !s.hasPrefix("x11:"), !s.hasPrefix("/") {
            src = URL(fileURLWithPath: s, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        }
        let request = ScreenShareRequest(device: device, source: src, frameRate: fps, size: size)
        let s = try options.run { c throws(ControlClientError) in try c.request("POST", "/screen/share", body: request, as: ScreenStatus.self) }
        print("sharing \(s.source ?? "the screen") with \(s.deviceName ?? device); `syncctl screen stop` ends it")
    }
}

/// `syncctl screen stop [<device>]`.
struct ScreenStop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop sharing the screen.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The device shared with (name, ID or prefix); needed only when sharing with several.") var device: String?

    func run() throws {
        let request = ScreenStopRequest(device: device)
        _ = try options.run { c throws(ControlClientError) in try c.request("POST", "/screen/stop", body: request, as: ControlClient.Empty.self) }
        print("screen share stopped")
    }
}

/// `syncctl screen watch`: the received share as YUV4MPEG2 on stdout (or a file).
struct ScreenWatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Write the screen shared with this device as Y4M (`| ffplay -`).")
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: "Write to this file instead of stdout.") var output: String?
    @Option(name: .long, help: "Stop after this many frames.") var frames: Int?
    @Option(name: .long, help: "The sharing device (name, ID or prefix); needed only when several share with this one.") var from: String?

    func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
    }

    func run() throws {
        let handle: FileHandle
        if let output, output != "-" {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("cannot write \(output)")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        defer { try? handle.close() }
        var query: [String] = frames.map { ["frames=\($0)"] } ?? []
        if let from { query.append("device=" + (from.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? from)) }
        let path = "/screen/watch" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        var failed = false
        try options.run { c throws(ControlClientError) in
            try c.streamBytes(path) { chunk in
                do { try handle.write(contentsOf: chunk) } catch { failed = true; return false }
                return true
            }
        }
        if failed { throw ExitCode(ExitStatus.failure) }
        if output != nil, output != "-" { FileHandle.standardError.write(Data("screen share written to \(output ?? "")\n".utf8)) }
    }
}

/// `syncctl screen status`.
struct ScreenShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the screen shares.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let list = try options.run { c throws(ControlClientError) in try c.request("GET", "/screen", as: [ScreenStatus].self) }
        if json { printJSON(list); return }
        print(list.isEmpty ? "No screen shares." : list.map(Self.render).joined(separator: "\n"))
    }

    /// One line about a share.
    static func render(_ s: ScreenStatus) -> String {
        let size = s.width.flatMap { w in s.height.map { "\(w)x\($0)" } } ?? "?"
        return s.direction == "outgoing"
            ? "Sharing \(s.source ?? "the screen") with \(s.deviceName ?? s.device): \(size), \(s.frames) frames sent"
            : "\(s.deviceName ?? s.device) shares its screen with this device: \(size), \(s.frames) frames (`syncctl screen watch | ffplay -`)"
    }
}
