import Daemon
import Foundation
import Logging
import Testing

/// The notify protocol against a NOTIFY_SOCKET this test listens on, the journal fields, and
/// `systemd-analyze verify` on the units. Serialized: NOTIFY_SOCKET is process-wide.
@Suite(.serialized) struct SystemdTests {
    /// A Unix datagram socket bound at `path`.
    final class DatagramListener {
        let fd: Int32
        init(path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            guard rc == 0 else { throw DaemonError.io("bind \(path): \(errno)") }
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }
        func receive() -> String? {
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
        }
    }

    @Test func notifyMessagesReachTheSocket() throws {
        let dir = TempDir()
        let listener = try DatagramListener(path: dir.path + "/notify.sock")
        setenv("NOTIFY_SOCKET", dir.path + "/notify.sock", 1)
        defer { unsetenv("NOTIFY_SOCKET"); unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
        let n = SystemdNotifier()
        #expect(n.ready(status: "2 folders\n(0 syncing)"))
        #expect(listener.receive() == "READY=1\nSTATUS=2 folders (0 syncing)")
        #expect(n.watchdog())
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(n.stopping())
        #expect(listener.receive() == "STOPPING=1\nSTATUS=stopping")
        setenv("WATCHDOG_USEC", "20000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        #expect(n.watchdogInterval() == .seconds(20))
    }

    @Test func withoutNotifySocketNothingIsSent() {
        unsetenv("NOTIFY_SOCKET")
        #expect(SystemdNotifier().ready(status: "x") == false)
        #expect(SystemdNotifier().watchdogInterval() == nil)
    }

    @Test func journalFieldsCarryFolderAndDevice() {
        let fields = JournalLogHandler.fields(identifier: "syncd", level: .warning, message: "pull failed",
                                              metadata: ["folder": "docs", "device": "MFZWI3D", "bad key!": "v", "priority": "0"],
                                              file: "F.swift", function: "f()", line: 7)
        #expect(fields.contains("MESSAGE=pull failed"))
        #expect(fields.contains("PRIORITY=4"))
        #expect(fields.contains("SYSLOG_IDENTIFIER=syncd"))
        #expect(fields.contains("FOLDER=docs"))
        #expect(fields.contains("DEVICE=MFZWI3D"))
        #expect(fields.contains("BAD_KEY_=v"))
        #expect(!fields.contains("PRIORITY=0"))
        #expect(JournalLogHandler.fieldName("_9x") == "X")
        #expect(!JournalLogHandler.stderrIsJournal(environment: [:]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:2"]))
    }

    @Test func unitsPassSystemdAnalyzeVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            print("systemd-analyze is absent: unit verification skipped")
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let units = root.appendingPathComponent("contrib/systemd").path
        let dir = TempDir()
        // The binaries are not installed here: point ExecStart at /bin/true, verify everything else.
        for (name, copy) in [("syncd.service", "syncd.service"), ("syncd@.service", "syncd@alice.service"),
                             ("syncd-rendezvous.service", "syncd-rendezvous.service")] {
            let text = try String(contentsOfFile: units + "/" + name, encoding: .utf8)
            #expect(text.contains("ExecStart=/usr/local/bin/"))
            let patched = text.replacingOccurrences(of: #"ExecStart=/usr/local/bin/[a-z-]+"#, with: "ExecStart=/bin/true", options: .regularExpression)
            try patched.write(toFile: dir.path + "/" + copy, atomically: true, encoding: .utf8)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: analyze)
        p.arguments = ["verify"] + ["syncd.service", "syncd@alice.service", "syncd-rendezvous.service"].map { dir.path + "/" + $0 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.isEmpty, "systemd-analyze warnings:\n\(text)")

        let user = try String(contentsOfFile: units + "/syncd.service", encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=", "Restart=on-failure", "NoNewPrivileges=true", "ProtectSystem=strict",
                     "PrivateTmp=true", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
                     "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=true", "ReadWritePaths="] {
            #expect(user.contains(line), "syncd.service lacks \(line)")
        }
        #expect(try String(contentsOfFile: units + "/syncd-rendezvous.service", encoding: .utf8).contains("DynamicUser=true"))
    }
}
