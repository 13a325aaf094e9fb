// A virtual X server for the screen-capture tests: Xvfb on a free display number (it picks one
// with -displayfd and reports it when ready), painted with xsetroot. contrib/setup.sh installs
// both (Debian xvfb, x11-xserver-utils); a missing one fails the test with that hint.
import Foundation

/// Why the virtual display could not be used.
public struct XvfbError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// A running `Xvfb` with one screen; stopped on ``stop()`` or deinit.
public final class XvfbServer: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards (terminate is thread-safe).
    /// The display name, e.g. `:3`.
    public let display: String
    private let process: Process

    /// Starts `Xvfb -screen 0 <width>x<height>x24` and waits (at most 10 s) until it accepts clients.
    public init(width: Int = 640, height: Int = 400) throws {
        guard let xvfb = Self.find("Xvfb") else {
            throw XvfbError(description: "Xvfb is not installed: run contrib/setup.sh (Debian package xvfb)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: xvfb)
        p.arguments = ["-displayfd", "1", "-screen", "0", "\(width)x\(height)x24", "-nolisten", "tcp", "-noreset"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Xvfb writes the display number to fd 1 once it is ready; EOF means it exited.
        let ready = DispatchSemaphore(value: 0)
        let box = LineBox()
        let reader = out.fileHandleForReading
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                bytes += chunk
                if bytes.contains(0x0A) { break }
            }
            box.set(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 10) == .success, let n = Int(box.get()) else {
            kill(p.processIdentifier, SIGKILL)
            throw XvfbError(description: "Xvfb did not start (no display number reported within 10 s)")
        }
        display = ":\(n)"
        process = p
    }

    deinit { stop() }

    /// Stops the server. SIGKILL: a child started by Foundation's Process inherits the test
    /// thread's blocked signals, so Xvfb would never see a SIGTERM.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Paints the root window one colour (`#rrggbb` or an X colour name) with `xsetroot -solid`;
    /// returns once the server has drawn it (xsetroot syncs before it exits).
    public func paint(_ colour: String) throws {
        guard let tool = Self.find("xsetroot") else {
            throw XvfbError(description: "xsetroot is not installed: run contrib/setup.sh (Debian package x11-xserver-utils)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-display", display, "-solid", colour]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XvfbError(description: "xsetroot -solid \(colour) failed on \(display)") }
    }

    /// Paints the root window with a `width`×`height` bitmap whose left half is `left` and right
    /// half `right` (`xsetroot -bitmap`; the bitmap tiles from the top left corner, so on a
    /// screen of exactly that size the halves are the screen's).
    public func paintHalves(left: String, right: String, width: Int, height: Int) throws {
        guard let tool = Self.find("xsetroot") else {
            throw XvfbError(description: "xsetroot is not installed: run contrib/setup.sh (Debian package x11-xserver-utils)")
        }
        let rowBytes = (width + 7) / 8
        var bits: [String] = []
        bits.reserveCapacity(rowBytes * height)
        for _ in 0..<height {
            for b in 0..<rowBytes {
                // XBM: least significant bit first; set bits take the foreground (left) colour.
                var v = 0
                for i in 0..<8 where b * 8 + i < width / 2 { v |= 1 << i }
                bits.append(String(format: "0x%02x", v))
            }
        }
        let xbm = "#define halves_width \(width)\n#define halves_height \(height)\nstatic unsigned char halves_bits[] = {\n"
            + bits.joined(separator: ",") + "};\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("peersync-halves-\(getpid())-\(width)x\(height).xbm").path
        try xbm.write(toFile: path, atomically: true, encoding: .ascii)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try run(tool, ["-display", display, "-bitmap", path, "-fg", left, "-bg", right])
    }

    /// Changes the screen's size with `xrandr --fb` (Xvfb: at most the size it started with)
    /// and returns once `xrandr` reports the new size.
    public func resize(width: Int, height: Int) throws {
        guard let tool = Self.find("xrandr") else {
            throw XvfbError(description: "xrandr is not installed: run contrib/setup.sh (Debian package x11-xserver-utils)")
        }
        // Xvfb's single CRTC cannot follow and xrandr reports that (BadValue), but the screen
        // (the root window) does take the new size: the query below is what counts.
        try? run(tool, ["-display", display, "--fb", "\(width)x\(height)"])
        let out = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-display", display]
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard text.contains("current \(width) x \(height)") else {
            throw XvfbError(description: "xrandr --fb \(width)x\(height) did not resize \(display): \(text.prefix(200))")
        }
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw XvfbError(description: "\(tool) \(arguments.joined(separator: " ")) failed (\(p.terminationStatus))")
        }
    }

    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private final class LineBox: @unchecked Sendable {
        // @unchecked: the reader thread writes once before signalling; the waiter reads after.
        private let lock = NSLock()
        private var value = ""
        func set(_ v: String) { lock.lock(); value = v; lock.unlock() }
        func get() -> String { lock.lock(); defer { lock.unlock() }; return value }
    }
}
