import CSystemd

/// systemd's notify protocol through libsystemd's `sd_notify`: READY, STATUS, WATCHDOG,
/// STOPPING. Without `$NOTIFY_SOCKET` (not started by systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// A notifier.
    public init() {}

    /// Sends raw `KEY=value` lines; returns true when a notification was sent.
    @discardableResult
    public func notify(_ state: String) -> Bool { sd_notify(0, state) > 0 }

    /// Startup finished.
    @discardableResult
    public func ready(status: String) -> Bool { notify("READY=1\nSTATUS=\(Self.oneLine(status))") }

    /// A one-line status for `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool { notify("STATUS=\(Self.oneLine(text))") }

    /// The watchdog keep-alive.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// Shutdown started.
    @discardableResult
    public func stopping() -> Bool { notify("STOPPING=1\nSTATUS=stopping") }

    /// The watchdog interval systemd expects pings within (`WatchdogSec`), or nil when off.
    public func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    static func oneLine(_ s: String) -> String { s.replacingNewlines() }
}

extension String {
    func replacingNewlines() -> String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
