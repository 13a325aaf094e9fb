import Foundation
import Media

/// What a screen share shows (`syncctl screen share --source`, `--size`): an X11 screen
/// (`x11`, `x11:<display>`), a moving test pattern (`pattern`, `pattern:WxH`) or a Y4M file
/// played in a loop. Without `--source`, the X11 screen of the daemon's `$DISPLAY` when that is
/// set and reachable, else the pattern.
enum ScreenSourceSpec: Equatable, Sendable {
    case pattern(width: Int, height: Int)
    case y4m(String)
    /// `display` nil: `$DISPLAY`; a nil size: the screen's own, fitted into 1920×1088.
    case x11(display: String?, width: Int?, height: Int?)

    /// Parses and checks `text` and `size`; a Y4M file or X11 display is opened now so errors
    /// show at once. `environment` supplies `$DISPLAY` for the default.
    init(parsing text: String?, size: String? = nil,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws(DaemonError) {
        let dims = try size.map { s throws(DaemonError) in try Self.parseSize(s, what: "--size \(s)") }
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if let d = environment["DISPLAY"], !d.isEmpty, (try? Self.openX11(d, dims)) != nil {
                self = .x11(display: d, width: dims?.0, height: dims?.1)
            } else {
                self = .pattern(width: dims?.0 ?? 320, height: dims?.1 ?? 240)
            }
            return
        }
        if t == "pattern" || t == "test" { self = .pattern(width: dims?.0 ?? 320, height: dims?.1 ?? 240); return }
        if t.hasPrefix("pattern:") {
            let d = try Self.parseSize(String(t.dropFirst(8)), what: t)
            self = .pattern(width: d.0, height: d.1)
            return
        }
        if t == "x11" || t.hasPrefix("x11:") {
            var display = t == "x11" ? (environment["DISPLAY"] ?? "") : String(t.dropFirst(4))
            if !display.isEmpty, display.allSatisfy(\.isNumber) { display = ":" + display }  // x11:1 means :1
            guard !display.isEmpty else {
                throw .badRequest("no X display to capture: $DISPLAY is not set for syncd",
                                  hint: "name one (--source x11::0), or import it into syncd's environment (`systemctl --user import-environment DISPLAY`)")
            }
            _ = try Self.openX11(display, dims)
            self = .x11(display: display, width: dims?.0, height: dims?.1)
            return
        }
        guard t.hasPrefix("/") else {
            throw .badRequest("unknown screen source \(t)", hint: "use x11, x11:<display>, pattern, pattern:<W>x<H>, or an absolute Y4M path")
        }
        guard size == nil else { throw .badRequest("a Y4M file is shared at its own size", hint: "drop --size") }
        _ = try Self.open(t)
        self = .y4m(t)
    }

    /// `WxH`, even, 16…1920 × 16…1088.
    static func parseSize(_ text: String, what: String) throws(DaemonError) -> (Int, Int) {
        let dims = text.split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, (16...1920).contains(dims[0]), (16...1088).contains(dims[1]), dims[0] % 2 == 0, dims[1] % 2 == 0 else {
            throw .badRequest("bad frame size in \(what)", hint: "use <W>x<H> with even sizes from 16x16 up to 1920x1088, e.g. 640x360")
        }
        return (dims[0], dims[1])
    }

    static func open(_ path: String) throws(DaemonError) -> Y4MReader {
        do { return try Y4MReader(path: path) } catch {
            throw .badRequest("cannot read the Y4M file \(path): \(error)", hint: "give a YUV4MPEG2 4:2:0 file (e.g. `ffmpeg -i in.mp4 -pix_fmt yuv420p out.y4m`)")
        }
    }

    /// Opens X11 capture of `display` at `size` (nil: the screen's).
    static func openX11(_ display: String?, _ size: (Int, Int)?) throws(DaemonError) -> X11ScreenSource {
        do { return try X11ScreenSource(display: display, width: size?.0, height: size?.1) } catch {
            throw .unavailable("cannot capture the screen: \(error)",
                               hint: "check that the X server runs and syncd may connect to it (DISPLAY, XAUTHORITY), or share --source pattern or a Y4M file")
        }
    }

    /// The spec as shown in the status.
    var description: String {
        switch self {
        case .pattern(let w, let h): return "pattern:\(w)x\(h)"
        case .y4m(let path): return path
        case .x11(let display, let w, let h):
            return "x11:\(display ?? "")" + (w.flatMap { w in h.map { " at \(w)x\($0)" } } ?? "")
        }
    }
}
