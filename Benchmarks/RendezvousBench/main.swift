// rendezvous-bench: holds N authenticated WebSocket clients on a real syncd-rendezvous process
// (started here on 127.0.0.1), reports the server's memory per idle connection, then relays
// signals between P pairs for D seconds and reports messages/s with p50/p99 latency.
// Loopback only. Run through contrib/rendezvous-bench.sh (raises `ulimit -n`).
import ArgumentParser
import DTLS
import Foundation
import Logging
import Signaling
import WireKit

@main
struct RendezvousBench: AsyncParsableCommand {
    @Option(help: "Concurrent authenticated connections to hold.")
    var connections = 2_000
    @Option(help: "Sender/receiver pairs relaying signals (taken from the held connections).")
    var pairs = 200
    @Option(help: "Messages in flight per pair.")
    var window = 4
    @Option(help: "Seconds of relaying.")
    var duration = 5.0
    @Option(help: "Port for the server.")
    var port = 17_480
    @Option(help: "Path of syncd-rendezvous (default: next to this executable).")
    var server: String?

    func run() async throws {
        let serverPath = server ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("syncd-rendezvous").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: serverPath)
        process.arguments = ["--host", "127.0.0.1", "--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["RENDEZVOUS_MAX_CONNECTIONS"] = String(connections + 1_000)
        environment["RENDEZVOUS_MAX_CONNECTIONS_PER_ADDRESS"] = String(connections + 1_000)
        environment["RENDEZVOUS_MESSAGES_PER_SECOND"] = "1000000"
        environment["RENDEZVOUS_MESSAGE_BURST"] = "1000000"
        environment["RENDEZVOUS_AUTH_TIMEOUT_SECONDS"] = "120"
        environment["RENDEZVOUS_OUTBOUND_QUEUE_LIMIT"] = "4096"
        environment["RENDEZVOUS_LOG_LEVEL"] = "warning"
        process.environment = environment
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        try await Task.sleep(for: .milliseconds(800))
        let baseline = rss(pid: process.processIdentifier)
        say("server pid \(process.processIdentifier), baseline RSS \(baseline / 1024) KiB")

        say("generating \(connections) device identities…")
        var identities: [DeviceIdentity] = []
        identities.reserveCapacity(connections)
        for _ in 0..<connections { identities.append(try DeviceIdentity.generate()) }

        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let url = "ws://127.0.0.1:\(port)/ws"
        let clients = identities.map { SignalingClient(url: url, credential: DeviceIdentityCredential($0), logger: logger) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            let connectStart = ContinuousClock.now
            for client in clients { group.addTask { await client.run() } }
            // Wait for every client's `authenticated` event (bounded).
            try await withThrowingTaskGroup(of: Bool.self) { waits in
                for client in clients {
                    waits.addTask {
                        for await event in client.events {
                            if case .authenticated = event { return true }
                        }
                        return false
                    }
                }
                var ok = 0
                for try await result in waits where result { ok += 1 }
                let elapsed = ContinuousClock.now - connectStart
                say("authenticated \(ok)/\(clients.count) connections in \(format(elapsed.seconds)) s")
            }
            try await Task.sleep(for: .seconds(1))
            let held = rss(pid: process.processIdentifier)
            let perConnection = Double(held - baseline) / Double(max(1, connections))
            say("server RSS with \(connections) idle connections: \(held / 1024) KiB; "
                  + "per connection: \(format(perConnection / 1024)) KiB")

            // Relay: pair i sends from clients[2i] to clients[2i+1].
            let pairCount = min(pairs, connections / 2)
            let serverCPUBefore = cpuSeconds(pid: process.processIdentifier)
            let benchCPUBefore = ownCPUSeconds()
            let deadline = ContinuousClock.now + .seconds(duration)
            let stats = try await withThrowingTaskGroup(of: [UInt64].self) { relays -> [UInt64] in
                for i in 0..<pairCount {
                    let sender = clients[2 * i]
                    let receiver = clients[2 * i + 1]
                    let target = identities[2 * i + 1].deviceID
                    let window = self.window
                    relays.addTask {
                        var latencies: [UInt64] = []
                        latencies.reserveCapacity(4_096)
                        for _ in 0..<window {
                            try? await sender.send(.signal(to: target, payload: String(Instant.monotonicNow().nanoseconds)))
                        }
                        for await event in receiver.events {
                            guard case .message(.signal(_, let payload)) = event, let sent = UInt64(payload) else { continue }
                            latencies.append(Instant.monotonicNow().nanoseconds &- sent)
                            if ContinuousClock.now >= deadline { break }
                            try? await sender.send(.signal(to: target, payload: String(Instant.monotonicNow().nanoseconds)))
                        }
                        return latencies
                    }
                }
                var all: [UInt64] = []
                for try await part in relays { all.append(contentsOf: part) }
                return all
            }
            let serverCPU = cpuSeconds(pid: process.processIdentifier) - serverCPUBefore
            let benchCPU = ownCPUSeconds() - benchCPUBefore
            let sorted = stats.sorted()
            func percentile(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
            }
            say("relayed \(sorted.count) signals in \(format(duration)) s over \(pairCount) pairs (window \(window)): "
                  + "\(format(Double(sorted.count) / duration)) msgs/s, p50 \(format(percentile(0.5))) ms, "
                  + "p99 \(format(percentile(0.99))) ms, max \(format(percentile(1.0))) ms")
            // On a shared machine the load generator (this process) competes with the server for
            // the same cores: CPU per message tells the server's own cost apart from the load.
            let perMessage = serverCPU / Double(max(1, sorted.count)) * 1e6
            say("server CPU \(format(serverCPU)) s (\(format(perMessage)) µs per relayed signal, "
                  + "≈ \(format(perMessage > 0 ? 1e6 / perMessage : 0)) signals/s per fully used core); "
                  + "load generator CPU \(format(benchCPU)) s")
            for client in clients { await client.stop() }
            group.cancelAll()
        }
    }

    /// User + system CPU seconds a process has used, from /proc/PID/stat (clock ticks of 1/100 s).
    func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// User + system CPU seconds this process has used.
    func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Resident set size of a process in bytes, from /proc.
    func rss(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return 0
    }

    func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Prints and flushes (the output is often piped).
    func say(_ text: String) {
        print(text)
        fflush(nil)
    }
}
