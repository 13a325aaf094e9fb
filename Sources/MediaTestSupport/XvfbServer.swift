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
