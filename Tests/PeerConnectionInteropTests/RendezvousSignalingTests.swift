import DTLS
import Foundation
import Logging
import PeerConnection
import Signaling
import Testing

/// `rtc-peer --signal ws://…/ws`: two rtc-peer processes find each other through a real
/// `syncd-rendezvous` (ephemeral port on 127.0.0.1) by a shared room code, exchange offer,
/// answer and candidates as relayed `signal` payloads, and transfer data verified by SHA-256.
@Suite(.serialized) struct RendezvousSignalingTests {
    static let bytes = 3 << 20

    @Test func sourceToSinkThroughRendezvous() async throws {
        let server = try RendezvousProcess()
        defer { server.stop() }
        let url = try await server.url()
        let room = "rtc-peer-" + UUID().uuidString.prefix(8)
        let pair = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)",
                                               "--signal", url, "--room", room]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink", "--signal", url, "--room", room]))
        let r = try await pair.run(timeout: 120)
        #expect(r[0].int("bytes_sent") == Self.bytes && r[1].int("bytes_received") == Self.bytes,
                "--- source ---\n\(pair.log(0).suffix(3000))\n--- sink ---\n\(pair.log(1).suffix(3000))")
        #expect(r[0].string("sent_sha256") != nil && r[0].string("sent_sha256") == r[1].string("received_sha256"))
        // They met in the room, and each learned the other's device ID there.
        #expect(pair.log(0).contains("rendezvous: peer ") && pair.log(1).contains("rendezvous: peer "))
    }

    /// The answerer started first with no room (it takes the first device that signals it);
    /// the offerer addresses it by the device ID it logged (`--peer`), after its presence.
    @Test func offererAddressesAnswererByDeviceID() async throws {
        let server = try RendezvousProcess()
        defer { server.stop() }
        let url = try await server.url()
        let answerer = try ChildProcess(try Peers.rtcPeer(["--role", "answer", "--mode", "echo", "--signal", url]))
        defer { answerer.stop() }
        let line = try await answerer.waitForLine(containing: "rendezvous: authenticated as ", timeout: 120)
        let id = String(line.split(separator: " ").last ?? "")
        let offerer = try ChildProcess(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes / 4)",
                                                          "--expect-echo", "--signal", url, "--peer", id]))
        defer { offerer.stop() }
        let result = try await offerer.waitForLine(containing: "RESULT ", timeout: 120)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.dropFirst("RESULT ".count).utf8)) as? [String: Any])
        #expect(object.int("bytes_received") == Self.bytes / 4, "\(offerer.log.suffix(2000))\n---\n\(answerer.log.suffix(2000))")
        #expect(object.string("sent_sha256") != nil && object.string("sent_sha256") == object.string("received_sha256"))
    }

    /// A device that signs in as one identity and offers an SDP fingerprinted with another (what
    /// a signaling server in the middle would have to do) is refused by rtc-peer.
    @Test func offerWithForeignFingerprintIsRefused() async throws {
        let server = try RendezvousProcess()
        defer { server.stop() }
        let url = try await server.url()
        let answerer = try ChildProcess(try Peers.rtcPeer(["--role", "answer", "--mode", "sink", "--signal", url]))
        defer { answerer.stop() }
        let line = try await answerer.waitForLine(containing: "rendezvous: authenticated as ", timeout: 120)
        let target = try DeviceID(parsing: String(line.split(separator: " ").last ?? ""))
        // The offer is real, but from a connection whose certificate is not the signer's.
        let pc = PeerConnection(configuration: PeerConnectionConfiguration(identity: try DeviceIdentity.generate(), seed: 7))
        _ = try pc.createDataChannel("x")
        let offer = try pc.setLocalDescription()
        let payload = try JSONSerialization.data(withJSONObject: ["type": "offer", "sdp": offer.sdp])
        let client = SignalingClient(url: url, credential: DeviceIdentityCredential(try DeviceIdentity.generate()),
                                     logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.send(.signal(to: target, payload: String(decoding: payload, as: UTF8.self)))
            _ = try await answerer.waitForLine(containing: "refusing a description", timeout: 120)
            await client.stop()
            try await group.waitForAll()
        }
        #expect(!answerer.log.contains("ice checking"), "\(answerer.log.suffix(2000))")
    }
}

/// A child process whose stderr is collected line by line; waits for a line with a bound.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `text` and `waiters` are guarded by `lock`; the process is set up in init.
    private let process = Process()
    private let lock = NSLock()
    private var text = ""
    private var waiters: [(String, CheckedContinuation<String?, Never>)] = []
    private var ended = false

    /// Starts `command` with stdin held open (a pipe this object keeps) and stdout discarded.
    init(_ command: PeerPair.Command) throws {
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        let handle = stderr.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                lock.lock()
                if chunk.isEmpty { ended = true } else { text += String(decoding: chunk, as: UTF8.self) }
                let ready = resolveWaiters()
                lock.unlock()
                for (c, line) in ready { c.resume(returning: line) }
                if chunk.isEmpty { break }
            }
            _ = stdin  // the write end stays open while the process runs
        }.start()
    }

    /// Everything written to stderr so far.
    var log: String { lock.withLock { text } }

    /// The first stderr line containing `needle`; throws when the process ends or `timeout`
    /// seconds pass without one.
    func waitForLine(containing needle: String, timeout: Double) async throws -> String {
        let found: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                await withCheckedContinuation { c in
                    self.lock.lock()
                    self.waiters.append((needle, c))
                    let ready = self.resolveWaiters()
                    self.lock.unlock()
                    for (c, line) in ready { c.resume(returning: line) }
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.stop() }  // ends the reader, which releases the waiter
            return first
        }
        guard let found else { throw PairError("no line with \"\(needle)\" within \(timeout) s\n\(log.suffix(3000))") }
        return found
    }

    /// Takes the waiters that can be answered (lock held by the caller).
    private func resolveWaiters() -> [(CheckedContinuation<String?, Never>, String?)] {
        var ready: [(CheckedContinuation<String?, Never>, String?)] = []
        waiters.removeAll { needle, c in
            let complete = text.prefix(upTo: text.lastIndex(of: "\n") ?? text.startIndex)
            if let line = complete.split(separator: "\n").first(where: { $0.contains(needle) }) {
                ready.append((c, String(line)))
                return true
            }
            if ended {
                ready.append((c, nil))
                return true
            }
            return false
        }
        return ready
    }

    /// Terminates the process (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// A `syncd-rendezvous` on 127.0.0.1 with a port the kernel picks (read from its log).
final class RendezvousProcess: Sendable {
    private let child: ChildProcess

    /// Starts the server from `PEERSYNC_BIN` (else `<package>/.build/debug`).
    init() throws {
        let bin = ProcessInfo.processInfo.environment["PEERSYNC_BIN"] ?? Peers.packageRoot() + "/.build/debug"
        let path = bin + "/syncd-rendezvous"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PairError("no syncd-rendezvous at \(path): run `swift build --product syncd-rendezvous` (or set PEERSYNC_BIN)")
        }
        child = try ChildProcess(PeerPair.Command(executable: path, arguments: ["--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"]))
    }

    /// The WebSocket URL, once the server listens.
    func url() async throws -> String {
        let line = try await child.waitForLine(containing: "listening on 127.0.0.1:", timeout: 120)
        guard let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw PairError("no port in \(line)")
        }
        return "ws://127.0.0.1:\(port)/ws"
    }

    /// Stops the server.
    func stop() { child.stop() }
}
