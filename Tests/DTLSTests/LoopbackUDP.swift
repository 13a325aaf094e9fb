import DTLS
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import WireKit

/// A UDP socket on 127.0.0.1 for interop tests (blocking calls bounded by `poll`).
final class LoopbackUDPSocket {
    let fd: Int32
    let port: UInt16
    /// Where datagrams go: set at creation (client) or from the first datagram received (server).
    var peer: sockaddr_in?

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { Glibc.close(fd); throw POSIXError(.EADDRINUSE) }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: local.sin_port)
    }

    deinit { Glibc.close(fd) }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    func send(_ bytes: [UInt8]) {
        guard var peer else { return }
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One datagram, waiting at most `timeoutMilliseconds`; nil on timeout.
    func receive(timeoutMilliseconds: Int32) -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, max(timeoutMilliseconds, 0)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard n >= 0 else { return nil }
        if peer == nil { peer = from }
        return Array(buffer[0..<n])
    }
}

/// An `openssl` child process whose output is collected and whose stdin stays open.
/// The collector is filled from Foundation's reader queue and read from the test thread, so
/// it guards its buffer with a lock; that is why it is `@unchecked Sendable`.
final class OpenSSLChild: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = ""

    init(arguments: [String], directory: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.collected += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    func write(_ line: String) {
        input.fileHandleForWriting.write(Data(line.utf8))
    }

    /// Ends the child (if still running) and waits for it.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}

/// Application data an endpoint delivered during `pump`.
final class Inbox {
    var records: [[UInt8]] = []
    func contains(_ text: String) -> Bool { records.contains(Array(text.utf8)) }
}

/// Waits for something outside the process (a child printing a line), checking every 10 ms,
/// at most `limit`.
@discardableResult
func waitUntil(limit: Duration = .seconds(5), _ done: () -> Bool) -> Bool {
    let deadline = Instant.monotonicNow() + limit
    while Instant.monotonicNow() < deadline {
        if done() { return true }
        _ = poll(nil, 0, 10)
    }
    return done()
}

/// Drives one endpoint over a loopback socket until `done()` or `limit` of real time.
@discardableResult
func pump(_ endpoint: DTLSEndpoint, _ socket: LoopbackUDPSocket, received: Inbox,
          limit: Duration = .seconds(10), until done: () -> Bool) -> Bool {
    let deadline = Instant.monotonicNow() + limit
    while Instant.monotonicNow() < deadline {
        while let datagram = endpoint.pollTransmit() { socket.send(datagram) }
        while let event = endpoint.pollEvent() {
            if case let .applicationData(d) = event { received.records.append(d) }
        }
        if done() { return true }
        var waitMs: Int64 = 10
        if let t = endpoint.pollTimeout() {
            waitMs = min(waitMs, max(0, (t - Instant.monotonicNow()).nanosecondsClamped / 1_000_000))
        }
        if let datagram = socket.receive(timeoutMilliseconds: Int32(waitMs)) {
            endpoint.handle(datagram: datagram, now: Instant.monotonicNow())
        }
        if let t = endpoint.pollTimeout(), t <= Instant.monotonicNow() {
            endpoint.handle(timeout: Instant.monotonicNow())
        }
    }
    return done()
}
