import DTLS
import Signaling

#if canImport(Glibc)
import Glibc
#endif

/// A raw WebSocket client on a blocking loopback socket with a 4 KiB receive buffer: it
/// upgrades, authenticates, then reads nothing more, so the server's writes back up after a
/// few frames (the slow consumer case without megabytes of kernel buffers to fill first).
/// Blocking: call it off the cooperative pool (`NIOThreadPool`).
// @unchecked: one task at a time uses it (built on the thread pool, afterwards only closed).
final class StalledWebSocketClient: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `127.0.0.1:port` and authenticates as `identity`; nil when any step fails.
    init?(port: Int, identity: DeviceIdentity) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var size: Int32 = 4_096  // set before connect: the window stays small
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)  // a bound on every read
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        let request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let codec = SignalingCodec()
        guard write(Array(request.utf8)), readHeaders(),
              let helloText = readTextFrame(),
              case .hello(_, let nonce, let server)? = try? codec.decodeServerMessage(helloText),
              let proof = try? DeviceIdentityCredential(identity).proof(nonce: nonce, serverIdentity: server),
              write(Self.maskedTextFrame(codec.encode(ClientMessage.auth(proof)))),
              let welcomeText = readTextFrame(),
              case .welcome? = try? codec.decodeServerMessage(welcomeText) else {
            close(fd)
            return nil
        }
    }

    /// Closes the socket.
    func disconnect() {
        close(fd)
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        send(fd, bytes, bytes.count, 0) == bytes.count
    }

    /// Reads at least `count` buffered bytes.
    private func fill(_ count: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while buffer.count < count {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return true
    }

    private func readHeaders() -> Bool {
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let range = buffer.firstRange(of: end) {
                let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<range.upperBound)
                return head.hasPrefix("HTTP/1.1 101")
            }
            guard fill(buffer.count + 1) else { return false }
        }
    }

    /// One unmasked server text frame (lengths up to 64 KiB).
    private func readTextFrame() -> String? {
        guard fill(2) else { return nil }
        var length = Int(buffer[1] & 0x7F)
        var header = 2
        if length == 126 {
            guard fill(4) else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            header = 4
        }
        guard length < 127, buffer[0] == 0x81, fill(header + length) else { return nil }
        let text = String(decoding: buffer[header..<(header + length)], as: UTF8.self)
        buffer.removeSubrange(..<(header + length))
        return text
    }

    /// A final text frame, masked as a client must (lengths up to 64 KiB).
    static func maskedTextFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        frame += mask
        for (index, byte) in payload.enumerated() { frame.append(byte ^ mask[index % 4]) }
        return frame
    }
}
