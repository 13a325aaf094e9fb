import DTLS
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Media
import PeerConnection
import WireKit

/// Test support: one ``PeerConnection`` on a loopback UDP socket, driven on the wall clock by a
/// poll loop (the sans-IO core's inputs and outputs wired to `recvfrom`/`sendto`), with an
/// external peer process signalled over its stdin/stdout (newline-delimited JSON, browser shapes).
final class UDPPeerHarness {
    let pc: PeerConnection
    let fd: Int32
    let local: TransportAddress
    let child: SignalingChild
    /// When the peer's answer (or offer) was applied: the interop window counts from here, since
    /// a browser starting on a loaded machine can take many seconds before it answers.
    private(set) var remoteDescriptionAt: Instant?
    /// Signaling the connection refused (a bad description or candidate), for failure messages.
    private(set) var signalingErrors: [String] = []

    init(seed: UInt64, child: SignalingChild) throws {
        let identity = try DeviceIdentity.generate(commonName: "peersync-media-interop")
        pc = PeerConnection(configuration: PeerConnectionConfiguration(identity: identity, seed: seed))
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { Glibc.close(fd); throw POSIXError(.EADDRINUSE) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        guard let l = TransportAddress("127.0.0.1:\(UInt16(bigEndian: actual.sin_port))") else { throw POSIXError(.EINVAL) }
        local = l
        self.child = child
        pc.addLocalInterface(local)
    }

    deinit { Glibc.close(fd) }

    /// Sends every pending datagram.
    func flush() {
        while let t = pc.pollTransmit() {
            guard case .v4(let ip) = t.destination.ip else { continue }
            var to = sockaddr_in()
            to.sin_family = sa_family_t(AF_INET)
            to.sin_port = t.destination.port.bigEndian
            to.sin_addr.s_addr = ip.bigEndian
            _ = t.payload.withUnsafeBytes { raw in
                withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
    }

    /// Waits up to `limit` for a datagram or the deadline `until`, and feeds the connection.
    func step(until deadline: Instant?) {
        let now = Instant.monotonicNow()
        var wait = 10
        if let d = deadline { wait = d <= now ? 0 : min(10, Int((d - now).nanosecondsClamped / 1_000_000) + 1) }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, Int32(wait)) == 1 {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            while true {
                let n = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &length)
                        }
                    }
                }
                guard n > 0 else { break }
                let source = TransportAddress(ip: .v4(UInt32(bigEndian: from.sin_addr.s_addr)), port: UInt16(bigEndian: from.sin_port))
                pc.handle(datagram: Array(buffer[0..<n]), source: source, destination: local, now: Instant.monotonicNow())
            }
        }
        let after = Instant.monotonicNow()
        if let t = pc.pollTimeout(), t <= after { pc.handle(timeout: after) }
        for line in child.takeLines() { handleSignal(line) }
        flush()
    }

    /// Applies one JSON signaling line from the peer.
    func handleSignal(_ line: String) {
        guard let data = line.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let type = obj["type"] as? String else { return }
        pc.handle(timeout: Instant.monotonicNow())
        switch type {
        case "answer", "offer":
            do {
                try pc.setRemoteDescription(SessionDescriptionInit(type: type == "answer" ? .answer : .offer, sdp: obj["sdp"] as? String ?? ""))
                remoteDescriptionAt = Instant.monotonicNow()
            } catch {
                signalingErrors.append("remote \(type) refused: \(error)")
            }
        case "candidate":
            do {
                try pc.addIceCandidate(ICECandidateInit(candidate: obj["candidate"] as? String ?? "", sdpMid: obj["sdpMid"] as? String,
                                                        sdpMLineIndex: obj["sdpMLineIndex"] as? Int))
            } catch {
                signalingErrors.append("candidate \(obj["candidate"] ?? "") refused: \(error)")
            }
        case "end-of-candidates":
            do { try pc.addIceCandidate(nil) } catch { signalingErrors.append("end-of-candidates refused: \(error)") }
        default:
            break
        }
    }

    /// Sends a local description or candidate to the peer.
    func signal(_ obj: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: obj) else { return }
        child.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}

/// An external peer process: stdin/stdout carry signaling lines, stderr is collected.
final class SignalingChild: @unchecked Sendable {
    // @unchecked: the buffers are only touched under `lock` (readers run on Foundation's threads).
    let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let lock = NSLock()
    private var pendingOut = ""
    private var lines: [String] = []
    private var errorText = ""

    init(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.pendingOut += String(decoding: data, as: UTF8.self)
            while let nl = self.pendingOut.firstIndex(of: "\n") {
                self.lines.append(String(self.pendingOut[..<nl]))
                self.pendingOut = String(self.pendingOut[self.pendingOut.index(after: nl)...])
            }
            self.lock.unlock()
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.errorText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    func takeLines() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let out = lines
        lines.removeAll()
        return out
    }

    var stderrText: String {
        lock.lock()
        defer { lock.unlock() }
        return errorText
    }

    func write(_ text: String) { try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

    func closeInput() { try? input.fileHandleForWriting.close() }

    /// The `RESULT {json}` object printed on stderr, if any.
    var result: [String: Any]? {
        guard let line = stderrText.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
              let data = line.dropFirst("RESULT ".count).data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Ends the process: SIGTERM, then SIGKILL after 10 s (a wedged peer must not hang the suite).
    func stop() {
        if process.isRunning { process.terminate() }
        let deadline = Instant.monotonicNow() + .seconds(10)
        while process.isRunning, Instant.monotonicNow() < deadline { _ = poll(nil, 0, 20) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }
}

/// The Python with aiortc: `PEERSYNC_PYTHON`, else `<package root>/.venv/bin/python`.
func interopPython(filePath: String = #filePath) throws -> String {
    if let env = ProcessInfo.processInfo.environment["PEERSYNC_PYTHON"], FileManager.default.isExecutableFile(atPath: env) {
        return env
    }
    let candidate = packageRoot(filePath: filePath) + "/.venv/bin/python"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    throw InteropSetupError(description: "no Python with aiortc: set PEERSYNC_PYTHON or run contrib/setup.sh (creates .venv)")
}

/// The package root, from this file's path (Tests/MediaInteropTests/…).
func packageRoot(filePath: String = #filePath) -> String {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

/// The interop environment is missing something (the message says what to run).
struct InteropSetupError: Error, CustomStringConvertible {
    var description: String
}
