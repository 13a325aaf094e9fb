import CSystemd
import Glibc
import Testing

@Suite struct SystemdShimTests {
    /// sd_notify sends to the NOTIFY_SOCKET this test binds and reads back.
    @Test func sdNotifyReachesTheSocket() throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        let path = "/tmp/peersync-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        unlink(path)
        defer { unlink(path) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(path.utf8)
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        setenv("NOTIFY_SOCKET", path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }

        let sent = sd_notify(0, "READY=1\nSTATUS=smoke test")
        #expect(sent > 0)

        var buffer = [UInt8](repeating: 0, count: 256)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let n = recv(fd, &buffer, buffer.count, 0)
        #expect(n > 0)
        let text = String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
        #expect(text == "READY=1\nSTATUS=smoke test")
    }

    @Test func journalFieldShimRejectsBadCounts() {
        #expect(CShim_sd_journal_send_fields(nil, 0) < 0)
    }
}
