// rendezvous-bench: holds N authenticated WebSocket clients on a real syncd-rendezvous process
// (started here on 127.0.0.1 as a child that exits with the bench), reports the server's memory
// per idle connection, then relays signals between P pairs for D seconds and reports
// messages/s with p50/p99 latency and the server's CPU per relayed signal.
// The load generator is one NIO event loop thread (BenchConnection), so on a 2-core machine
// the server keeps at least one core. Loopback only. Run through contrib/rendezvous-bench.sh
// (raises `ulimit -n`).
import ArgumentParser
import DTLS
import Foundation
import NIOCore
import NIOPosix
import Signaling
import WireKit

@main
struct RendezvousBench: AsyncParsableCommand {
    @Option(help: "Concurrent authenticated connections to hold.")
    var connections = 2_000
    @Option(help: "Sender/receiver pairs relaying signals (taken from the held connections).")
    var pairs = 200
    @Option(help: "Closed loop: signals in flight per pair (ignored with --rate).")
    var window = 4
    @Option(help: "Open loop: signals per second offered in total, spread over the pairs.")
    var rate: Double?
    @Option(help: "Seconds of relaying.")
    var duration = 5.0
    @Option(help: "Port for the server.")
    var port = 17_480
    @Option(help: "Path of syncd-rendezvous (default: next to this executable).")
    var server: String?
    @Option(help: "The server's event loop threads (RENDEZVOUS_EVENT_LOOP_THREADS; 0: one per core).")
    var serverThreads = 0
    @Option(help: "Load generator event loop threads (each pair lives on one).")
    var clientThreads = 1
    @Option(help: "Seconds of relaying at the same rate before the measured phase, not counted (0: none).")
    var warmup = 0.0

    func run() async throws {
        let serverPath = server ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("syncd-rendezvous").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: serverPath)
        // The server exits when its stdin (a pipe only this process holds) closes, so it dies
        // with the bench however the bench ends (SIGKILL included).
        process.arguments = ["--host", "127.0.0.1", "--port", String(port), "--exit-on-stdin-eof"]
        let lifeline = Pipe()
        process.standardInput = lifeline
        var environment = ProcessInfo.processInfo.environment
        environment["RENDEZVOUS_MAX_CONNECTIONS"] = String(connections + 1_000)
        environment["RENDEZVOUS_MAX_CONNECTIONS_PER_ADDRESS"] = String(connections + 1_000)
        environment["RENDEZVOUS_MESSAGES_PER_SECOND"] = "1000000"
        environment["RENDEZVOUS_MESSAGE_BURST"] = "1000000"
        environment["RENDEZVOUS_AUTH_TIMEOUT_SECONDS"] = "120"
        environment["RENDEZVOUS_OUTBOUND_QUEUE_LIMIT"] = "4096"
        environment["RENDEZVOUS_LOG_LEVEL"] = "warning"
        environment["RENDEZVOUS_EVENT_LOOP_THREADS"] = String(serverThreads)
        process.environment = environment
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(800))
        let baseline = rss(pid: process.processIdentifier)
        say("server pid \(process.processIdentifier), baseline RSS \(baseline / 1024) KiB")

        say("generating \(connections) device identities…")
        var identities: [DeviceIdentity] = []
        identities.reserveCapacity(connections)
        for _ in 0..<connections { identities.append(try DeviceIdentity.generate()) }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, clientThreads))
        let loops = Array(group.makeIterator())
        let connectStart = ContinuousClock.now
        var clients: [NIOLoopBound<BenchConnection>] = []
        clients.reserveCapacity(connections)
        // Connect in batches (the listen backlog is finite), each batch authenticated before the next.
        let port = self.port
        for batchStart in stride(from: 0, to: identities.count, by: 250) {
            let batch = identities[batchStart..<min(identities.count, batchStart + 250)]
            let connected = try await withThrowingTaskGroup(of: (Int, NIOLoopBound<BenchConnection>).self) { tasks in
                for (index, identity) in zip(batch.indices, batch) {
                    // Both members of pair k (connections 2k, 2k+1) share loop k mod threads.
                    let loop = loops[(index / 2) % loops.count]
                    tasks.addTask { (index, try await BenchConnection.connect(host: "127.0.0.1", port: port, identity: identity, group: loop)) }
                }
                var results: [(Int, NIOLoopBound<BenchConnection>)] = []
                for try await result in tasks { results.append(result) }
                return results.sorted { $0.0 < $1.0 }.map(\.1)
            }
            clients.append(contentsOf: connected)
        }
        let connected = clients
        say("authenticated \(clients.count)/\(connections) connections in \(format((ContinuousClock.now - connectStart).seconds)) s")
        try await Task.sleep(for: .seconds(1))
        let held = rss(pid: process.processIdentifier)
        let perConnection = Double(held - baseline) / Double(max(1, connections))
        say("server RSS with \(connections) idle connections: \(held / 1024) KiB; "
              + "per connection: \(format(perConnection / 1024)) KiB")

        // Relay: pair i sends from clients[2i] to clients[2i+1].
        let pairCount = min(pairs, connections / 2)
        let targets = (0..<pairCount).map { identities[2 * $0 + 1].deviceID.description }
        let (window, rate, duration) = (self.window, self.rate, self.duration)
        // One load phase per generator loop, with its share of the pairs and of the rate.
        func makePhases() async throws -> [NIOLoopBound<LoadPhase>] {
            var phases: [NIOLoopBound<LoadPhase>] = []
            for (index, eventLoop) in loops.enumerated() {
                let mine = Array(stride(from: index, to: pairCount, by: loops.count))
                guard !mine.isEmpty else { continue }
                let share = rate.map { $0 * Double(mine.count) / Double(pairCount) }
                phases.append(try await eventLoop.submit {
                    let pairs = mine.map { i in
                        LoadPhase.Pair(sender: connected[2 * i].value, receiver: connected[2 * i + 1].value,
                                       prefix: Array((#"{"type":"signal","to":""# + targets[i] + #"","payload":""#).utf8))
                    }
                    return NIOLoopBound(LoadPhase(pairs: pairs, window: window, rate: share), eventLoop: eventLoop)
                }.get())
            }
            return phases
        }
        // A warm-up phase (reported on its own line, never mixed into the measured figures).
        if warmup > 0 {
            let warmupPhases = try await makePhases()
            for phase in warmupPhases {
                try await phase.eventLoop.submit {
                    phase.value.start(duration: .milliseconds(Int64(warmup * 1_000)), on: phase.eventLoop)
                }.get()
            }
            try await Task.sleep(for: .seconds(warmup) + .milliseconds(300))
            var latencies: [UInt64] = []
            for phase in warmupPhases {
                latencies += try await phase.eventLoop.submit { phase.value.finish().map(\.latency) }.get()
            }
            latencies.sort()
            let p99 = latencies.isEmpty ? 0 : Double(latencies[min(latencies.count - 1, latencies.count * 99 / 100)]) / 1e6
            say("warm-up (not counted below): \(latencies.count) signals in \(format(warmup)) s, p99 \(format(p99)) ms")
        }
        let phases = try await makePhases()
        let serverCPUBefore = cpuSeconds(pid: process.processIdentifier)
        let benchCPUBefore = ownCPUSeconds()
        let serverSchedBefore = SchedStat.of(pid: process.processIdentifier)
        let benchSchedBefore = SchedStat.of(pid: getpid())
        for phase in phases {
            try await phase.eventLoop.submit {
                phase.value.start(duration: .milliseconds(Int64(duration * 1_000)), on: phase.eventLoop)
            }.get()
        }
        try await Task.sleep(for: .seconds(duration))
        let serverCPU = cpuSeconds(pid: process.processIdentifier) - serverCPUBefore
        let benchCPU = ownCPUSeconds() - benchCPUBefore
        let serverSched = SchedStat.of(pid: process.processIdentifier) - serverSchedBefore
        let benchSched = SchedStat.of(pid: getpid()) - benchSchedBefore
        // Signals sent just before the deadline get a moment to arrive.
        try await Task.sleep(for: .milliseconds(300))
        var stats: [(sent: UInt64, latency: UInt64)] = []
        var sentCount = 0
        var closes: [UInt16: Int] = [:]
        var otherFrames = 0
        for phase in phases {
            let (samples, sent, trouble) = try await phase.eventLoop.submit {
                (phase.value.finish(), phase.value.sentCount, phase.value.trouble)
            }.get()
            stats.append(contentsOf: samples)
            sentCount += sent
            closes.merge(trouble.closes, uniquingKeysWith: +)
            otherFrames += trouble.errors
        }
        if !closes.isEmpty || otherFrames > 0 || (rate != nil && sentCount > stats.count + stats.count / 100) {
            say("sent \(sentCount), arrived \(stats.count); error frames \(otherFrames); "
                  + "closed by the server: \(closes.isEmpty ? "none" : "\(closes)")")
        }

        let sorted = stats.map(\.latency).sorted()
        func percentile(_ values: [UInt64], _ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            return Double(values[min(values.count - 1, Int(Double(values.count) * p))]) / 1e6
        }
        let mode = rate.map { "open loop, offered \(format($0)) msgs/s" } ?? "closed loop, window \(window)"
        say("relayed \(sorted.count) signals in \(format(duration)) s over \(pairCount) pairs (\(mode)): "
              + "\(format(Double(sorted.count) / duration)) msgs/s, p50 \(format(percentile(sorted, 0.5))) ms, "
              + "p99 \(format(percentile(sorted, 0.99))) ms, max \(format(percentile(sorted, 1.0))) ms")
        // Latency by the second it was sent in: a backlog that builds up shows as a rising p99.
        var seconds: [String] = []
        for second in 0..<Int(duration.rounded(.up)) {
            let bucket = stats.filter { Int($0.sent / 1_000_000_000) == second }.map(\.latency).sorted()
            seconds.append("\(second)s: \(bucket.count) p50 \(format(percentile(bucket, 0.5))) p99 \(format(percentile(bucket, 0.99)))")
        }
        say("by second sent (ms): " + seconds.joined(separator: " | "))
        // On a shared machine the load generator (this process) competes with the server for
        // the same cores: CPU per message tells the server's own cost apart from the load.
        let perMessage = serverCPU / Double(max(1, sorted.count)) * 1e6
        say("server CPU \(format(serverCPU)) s (\(format(perMessage)) µs per relayed signal, "
              + "≈ \(format(perMessage > 0 ? 1e6 / perMessage : 0)) signals/s per fully used core); "
              + "load generator CPU \(format(benchCPU)) s")
        // Time runnable but waiting for a CPU (other processes, or each other): latency that
        // is the machine's, not the relay's.
        let relayed = Double(max(1, sorted.count))
        say("waiting for a CPU while runnable: server \(format(serverSched.waitSeconds)) s over \(serverSched.slices) timeslices, "
              + "load generator \(format(benchSched.waitSeconds)) s over \(benchSched.slices) timeslices "
              + "(\(format(Double(serverSched.slices) / relayed)) and \(format(Double(benchSched.slices) / relayed)) per relayed signal; "
              + "load average \(loadAverage()))")
        for client in connected { try await client.eventLoop.submit { client.value.close() }.get() }
        try await group.shutdownGracefully()
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

    /// The 1-, 5- and 15-minute load averages, from /proc/loadavg.
    func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
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
