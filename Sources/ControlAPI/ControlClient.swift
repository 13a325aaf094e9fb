#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small, blocking HTTP/1.1 client for syncd's control socket (used by syncctl and tests).
///
/// One request per connection (`Connection: close`); chunked responses are decoded, and
/// ``stream(_:onLine:)`` hands NDJSON lines of a long-lived response to a callback as they come.
public struct ControlClient: Sendable {
    /// The control socket path.
    public let socketPath: String

    /// A client for the socket at `socketPath`.
    public init(socketPath: String) { self.socketPath = socketPath }

    /// Sends a request and decodes a JSON answer.
    public func request<Response: Decodable>(_ method: String, _ path: String, as type: Response.Type) throws(ControlClientError) -> Response {
        try request(method, path, body: Optional<Int>.none, as: type)
    }

    /// Sends a request with a JSON body and decodes a JSON answer.
    public func request<Body: Encodable, Response: Decodable>(_ method: String, _ path: String, body: Body?, as type: Response.Type) throws(ControlClientError) -> Response {
        let data = try raw(method, path, body: body)
        if Response.self == Empty.self, let e = Empty() as? Response { return e }
        do { return try JSONDecoder().decode(Response.self, from: data) } catch {
            throw .badResponse("\(error)")
        }
    }

    /// An empty answer.
    public struct Empty: Codable, Sendable { public init() {} }

    /// Sends a request and returns the body of a 2xx answer (errors are thrown as ``ControlClientError``).
    public func raw<Body: Encodable>(_ method: String, _ path: String, body: Body?) throws(ControlClientError) -> Data {
        let fd = try connectSocket()
        defer { close(fd) }
        try sendRequest(fd: fd, method: method, path: path, body: body)
        var reader = HTTPResponseReader(fd: fd)
        let (status, chunked, length) = try reader.readHead()
        var data = Data()
        if chunked {
            while let chunk = try reader.readChunk() { data.append(contentsOf: chunk) }
        } else {
            data = Data(try reader.readBody(length: length))
        }
        guard (200..<300).contains(status) else {
            let body = (try? JSONDecoder().decode(ControlErrorBody.self, from: data)) ?? ControlErrorBody(error: "HTTP \(status)")
            throw .server(status: status, body: body)
        }
        return data
    }

    /// Follows a streaming answer, calling `onLine` per NDJSON line until it returns false or the stream ends.
    public func stream(_ path: String, onLine: (Data) -> Bool) throws(ControlClientError) {
        let fd = try connectSocket()
        defer { close(fd) }
        try sendRequest(fd: fd, method: "GET", path: path, body: Optional<Int>.none)
        var reader = HTTPResponseReader(fd: fd)
        let (status, chunked, _) = try reader.readHead()
        guard (200..<300).contains(status), chunked else { throw .badResponse("stream answered HTTP \(status)") }
        var pending = Data()
        while let chunk = try reader.readChunk() {
            pending.append(contentsOf: chunk)
            while let nl = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<nl]
                pending = Data(pending[pending.index(after: nl)...])
                if !line.isEmpty, !onLine(Data(line)) { return }
            }
        }
    }

    /// Follows a streaming byte answer (e.g. a screen share as YUV4MPEG2), calling `onChunk` per
    /// received chunk until it returns false or the stream ends. Error answers are thrown.
    public func streamBytes(_ path: String, onChunk: ([UInt8]) -> Bool) throws(ControlClientError) {
        let fd = try connectSocket()
        defer { close(fd) }
        try sendRequest(fd: fd, method: "GET", path: path, body: Optional<Int>.none)
        var reader = HTTPResponseReader(fd: fd)
        let (status, chunked, length) = try reader.readHead()
        guard (200..<300).contains(status), chunked else {
            let data = Data(try reader.readBody(length: length))
            let body = (try? JSONDecoder().decode(ControlErrorBody.self, from: data)) ?? ControlErrorBody(error: "HTTP \(status)")
            throw .server(status: status, body: body)
        }
        while let chunk = try reader.readChunk() {
            if !onChunk(chunk) { return }
        }
    }

    private func connectSocket() throws(ControlClientError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd); throw .io("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            if e == ENOENT || e == ECONNREFUSED { throw .daemonNotRunning(socket: socketPath) }
            if e == EACCES || e == EPERM { throw .permissionDenied(socket: socketPath) }
            throw .io("connect \(socketPath): \(String(cString: strerror(e)))")
        }
        return fd
    }

    private func sendRequest<Body: Encodable>(fd: Int32, method: String, path: String, body: Body?) throws(ControlClientError) {
        var payload = [UInt8]()
        if let body {
            do { payload = Array(try JSONEncoder().encode(body)) } catch { throw .io("encoding the request: \(error)") }
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: syncd\r\nConnection: close\r\nContent-Length: \(payload.count)\r\n"
        if !payload.isEmpty { head += "Content-Type: application/json\r\n" }
        head += "\r\n"
        let all = Array(head.utf8) + payload
        var sent = 0
        while sent < all.count {
            let n = all[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .daemonNotRunning(socket: socketPath) }
                throw .io("send: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }
}

/// Reads an HTTP/1.1 response from a blocking socket.
struct HTTPResponseReader {
    let fd: Int32
    var buffer: [UInt8] = []
    var head = 0

    init(fd: Int32) { self.fd = fd }

    mutating func fill() throws(ControlClientError) -> Bool {
        var tmp = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = tmp.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .io("recv: \(String(cString: strerror(errno)))") }
            if n == 0 { return false }
            if head > 0 { buffer.removeFirst(head); head = 0 }
            buffer.append(contentsOf: tmp[0..<n])
            return true
        }
    }

    mutating func readLine() throws(ControlClientError) -> String? {
        while true {
            if let i = buffer[head...].firstIndex(of: 0x0A) {
                var line = Array(buffer[head..<i])
                if line.last == 0x0D { line.removeLast() }
                head = i + 1
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { return nil }
        }
    }

    mutating func readHead() throws(ControlClientError) -> (status: Int, chunked: Bool, length: Int?) {
        guard let statusLine = try readLine() else { throw .badResponse("connection closed before an answer") }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw .badResponse("status line \(statusLine)") }
        var chunked = false
        var length: Int?
        while let line = try readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
            if name == "content-length" { length = Int(value) }
        }
        return (status, chunked, length)
    }

    mutating func readBody(length: Int?) throws(ControlClientError) -> [UInt8] {
        if let length {
            while buffer.count - head < length { guard try fill() else { throw .badResponse("truncated body") } }
            defer { head += length }
            return Array(buffer[head..<head + length])
        }
        while try fill() {}
        defer { head = buffer.count }
        return Array(buffer[head...])
    }

    mutating func readChunk() throws(ControlClientError) -> [UInt8]? {
        guard let sizeLine = try readLine() else { return nil }
        let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else { throw .badResponse("chunk size \(sizeLine)") }
        if size == 0 { _ = try readLine(); return nil }
        while buffer.count - head < size + 2 { guard try fill() else { throw .badResponse("truncated chunk") } }
        let chunk = Array(buffer[head..<head + size])
        head += size + 2
        return chunk
    }
}
