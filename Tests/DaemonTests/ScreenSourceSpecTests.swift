import MediaTestSupport
import Testing
@testable import Daemon

/// `syncctl screen share --source/--size` as syncd reads them: X11 by default when `$DISPLAY`
/// reaches a server, the pattern otherwise, and clear errors for displays that cannot be opened.
@Suite struct ScreenSourceSpecTests {
    @Test func defaultIsTheX11ScreenWhenTheDisplayIsReachable() throws {
        let x = try XvfbServer(width: 320, height: 200)
        defer { x.stop() }
        #expect(try ScreenSourceSpec(parsing: nil, environment: ["DISPLAY": x.display]) == .x11(display: x.display, width: nil, height: nil))
        #expect(try ScreenSourceSpec(parsing: nil, size: "160x100", environment: ["DISPLAY": x.display])
                == .x11(display: x.display, width: 160, height: 100))
        #expect(try ScreenSourceSpec(parsing: "x11", environment: ["DISPLAY": x.display]).description == "x11:\(x.display)")
        let n = String(x.display.dropFirst())
        #expect(try ScreenSourceSpec(parsing: "x11:\(n)", size: "64x48", environment: [:]) == .x11(display: x.display, width: 64, height: 48))
        #expect(try ScreenSourceSpec(parsing: "x11:\(n)", size: "64x48", environment: [:]).description == "x11:\(x.display) at 64x48")
    }

    @Test func withoutADisplayThePatternIsShared() throws {
        #expect(try ScreenSourceSpec(parsing: nil, environment: [:]) == .pattern(width: 320, height: 240))
        // $DISPLAY set but nothing there: the pattern too (the default never fails).
        #expect(try ScreenSourceSpec(parsing: nil, size: "640x360", environment: ["DISPLAY": ":65000"]) == .pattern(width: 640, height: 360))
        #expect(try ScreenSourceSpec(parsing: "pattern:64x48", environment: [:]) == .pattern(width: 64, height: 48))
    }

    @Test func anExplicitDisplayThatCannotBeOpenedIsAClearError() {
        #expect {
            _ = try ScreenSourceSpec(parsing: "x11::65000", environment: [:])
        } throws: { error in
            guard case DaemonError.unavailable(let why, let hint)? = error as? DaemonError else { return false }
            return why.contains("cannot open X display :65000") && (hint ?? "").contains("--source pattern")
        }
        #expect {
            _ = try ScreenSourceSpec(parsing: "x11", environment: [:])
        } throws: { error in
            guard case DaemonError.badRequest(let why, _)? = error as? DaemonError else { return false }
            return why.contains("$DISPLAY is not set")
        }
        #expect(throws: DaemonError.self) { try ScreenSourceSpec(parsing: "pattern", size: "15x10", environment: [:]) }
        #expect(throws: DaemonError.self) { try ScreenSourceSpec(parsing: "x11:", environment: [:]) }
    }
}
