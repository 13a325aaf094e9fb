import Foundation
import ICE
import WireKit

/// One side of a netlab connectivity probe: an ``ICEAgent`` on a real UDP socket, candidates
/// exchanged through files, then a ping/echo stream over the selected pair (10 per second) whose
/// gaps measure how long a fault interrupted it.
final class ProbeSession {
    let options: ProbeOptions
    let agent: ICEAgent
    let socket: UDPSocket
    let start = Instant.monotonicNow()

    private var checksStarted: Instant?
    private var connectedAt: Instant?
    private var sequence = 0
    private var pingsSent = 0
    private var pongsReceived = 0
    private var lastPong: Instant?
    private var longestGap: Duration = .zero
    private var nextPing: Instant?
    private var pairChanges = 0
    private var disconnects = 0
    private var localType = "-"
    private var remoteType = "-"
    /// ICE restarts done (the generation of the current candidate files).
    private var restarts = 0
    /// Controlling side: when the last restart was started (one per ``restartBackoff``).
    private var lastRestart: Instant?
    /// Controlling side: the restart whose answer (the peer's candidate file) is awaited.
    private var awaitingAnswer = false
    /// Controlled side: when the peer's next restart file was last looked for.
    private var lastRestartPoll: Instant?
    /// The least time between two restarts the controlling side starts.
    private let restartBackoff: Duration = .seconds(4)

    init(options: ProbeOptions) throws(ProbeError) {
        self.options = options
        guard let ip = options.bind else { throw .usage("--bind IP is required") }
        socket = try UDPSocket(bindingTo: ip)
        agent = ICEAgent(configuration: options.configuration)
    }

    /// Runs the probe for `options.seconds` and returns its one-line result.
    func run() throws(ProbeError) -> String {
        let deadline = start + .seconds(double: options.seconds)
        agent.addLocalInterface(socket.local)
        agent.startGathering(now: Instant.monotonicNow())
        let gatherDeadline = start + .seconds(5)
        var signalled = false
        while true {
            let now = Instant.monotonicNow()
            if now >= deadline { break }
            flush()
            if !signalled, agent.gatheringState == .complete || now >= gatherDeadline {
                try writeCandidates()
                try readPeerCandidates(until: now + .seconds(15))
                checksStarted = Instant.monotonicNow()
                signalled = true
                continue
            }
            if let next = nextPing, now >= next { ping(now: now) }
            if signalled { try restartIfNeeded(now: now) }
            var wake = deadline
            if let t = agent.pollTimeout() { wake = min(wake, t) }
            if let t = nextPing { wake = min(wake, t) }
            if !signalled { wake = min(wake, now + .milliseconds(20)) }
            let waitMs = Int32(clamping: max(0, (wake - now).nanosecondsClamped / 1_000_000))
            if let (payload, source) = socket.receive(timeoutMilliseconds: waitMs) {
                agent.handle(datagram: payload, source: source, destination: socket.local, now: Instant.monotonicNow())
            } else {
                agent.handle(timeout: Instant.monotonicNow())
            }
        }
        flush()
        if options.verbose {
            for pair in agent.pairs { log("pair \(pair)") }
            log("counters \(agent.counters)")
        }
        let connectMs = connectedAt.flatMap { c in checksStarted.map { ms(c - $0) } } ?? -1
        let quietMs = lastPong.map { ms(Instant.monotonicNow() - $0) } ?? -1
        return "result name=\(options.name) state=\(agent.connectionState.rawValue) connect_ms=\(connectMs) " +
            "local=\(localType) remote=\(remoteType) pings=\(pingsSent) pongs=\(pongsReceived) " +
            "longest_gap_ms=\(ms(longestGap)) last_pong_ago_ms=\(quietMs) pair_changes=\(pairChanges) disconnects=\(disconnects) " +
            "restarts=\(restarts)"
    }

    /// ICE restart over the probe's signalling channel (the candidate files), RFC 8445 §9: the
    /// controlling side restarts when the connection is `disconnected` or `failed` (at most once
    /// per ``restartBackoff``) and writes `NAME.cand.N` with its new ufrag, password and
    /// candidates; the controlled side, which polls for that file, restarts too and answers with
    /// `PEER.cand.N`. Data keeps flowing on the old pair until the new generation selects one.
    private func restartIfNeeded(now: Instant) throws(ProbeError) {
        guard !options.noRestart else { return }
        if options.role == .controlling {
            if awaitingAnswer {
                if try applyPeerCandidates(generation: restarts) { awaitingAnswer = false }
                if awaitingAnswer, let last = lastRestart, now - last < restartBackoff { return }
            }
            let state = agent.connectionState
            guard state == .disconnected || state == .failed else { return }
            if let last = lastRestart, now - last < restartBackoff { return }
            lastRestart = now
            restarts += 1
            agent.restart()
            log("ICE restart \(restarts): connection \(state.rawValue)")
            try writeCandidates(generation: restarts)
            awaitingAnswer = true
            flush()
        } else {
            if let last = lastRestartPoll, now - last < .milliseconds(50) { return }
            lastRestartPoll = now
            let next = restarts + 1
            guard FileManager.default.fileExists(atPath: candidatePath(options.peer, generation: next)) else { return }
            restarts = next
            agent.restart()
            log("ICE restart \(restarts): requested by the peer")
            try writeCandidates(generation: restarts)
            _ = try applyPeerCandidates(generation: restarts)
            flush()
        }
    }

    /// The candidate file of `name` for restart `generation` (0: the initial exchange).
    private func candidatePath(_ name: String, generation: Int) -> String {
        "\(options.directory)/\(name).cand" + (generation == 0 ? "" : ".\(generation)")
    }

    /// Reads the peer's candidate file of `generation` if it is there; true when applied.
    private func applyPeerCandidates(generation: Int) throws(ProbeError) -> Bool {
        let path = candidatePath(options.peer, generation: generation)
        guard FileManager.default.fileExists(atPath: path) else { return false }
        try applyCandidates(at: path)
        return true
    }

    /// Sends what the agent queued and handles its events.
    private func flush() {
        while let t = agent.pollTransmit() { socket.send(t.payload, to: t.destination) }
        while let event = agent.pollEvent() { handle(event) }
        while let t = agent.pollTransmit() { socket.send(t.payload, to: t.destination) }
    }

    private func handle(_ event: ICEEvent) {
        let now = Instant.monotonicNow()
        switch event {
        case .connectionStateChanged(let state):
            log("state \(state.rawValue)")
            if state == .connected, connectedAt == nil {
                connectedAt = now
                nextPing = now
            }
            if state == .disconnected { disconnects += 1 }
        case .selectedPairChanged(let local, let remote):
            pairChanges += 1
            localType = local.type.rawValue
            remoteType = remote.type.rawValue
            log("selected \(local.type.rawValue) \(local.address) -> \(remote.type.rawValue) \(remote.address)")
        case .data(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            if text.hasPrefix("ping:") {
                try? agent.send(data: Array(("pong:" + text.dropFirst(5)).utf8), now: now)
            } else if text.hasPrefix("pong:") {
                pongsReceived += 1
                if let last = lastPong { longestGap = max(longestGap, now - last) }
                lastPong = now
            }
        case .serverError(let error):
            log("server error \(error)")
        case .debug(let message):
            if options.verbose { log("debug \(message)") }
        case .candidateGathered, .gatheringStateChanged, .roleChanged:
            break
        }
    }

    private func ping(now: Instant) {
        sequence += 1
        if (try? agent.send(data: Array("ping:\(sequence)".utf8), now: now)) != nil { pingsSent += 1 }
        nextPing = now + .milliseconds(100)
    }

    private func writeCandidates(generation: Int = 0) throws(ProbeError) {
        var text = "ufrag \(agent.localCredentials.ufrag)\npwd \(agent.localCredentials.password)\n"
        for c in agent.localCandidates { text += c.sdpLine + "\n" }
        log("signalling \(agent.localCandidates.count) candidates: \(agent.localCandidates.map(\.type.rawValue))")
        let path = candidatePath(options.name, generation: generation)
        do {
            try text.write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        } catch {
            throw .signaling("cannot write \(path): \(error)")
        }
    }

    private func readPeerCandidates(until deadline: Instant) throws(ProbeError) {
        let path = "\(options.directory)/\(options.peer).cand"
        while !FileManager.default.fileExists(atPath: path) {
            guard Instant.monotonicNow() < deadline else { throw .signaling("no \(path) from the peer") }
            // Keep the agent's timers (TURN refreshes, retransmissions) running while waiting.
            if let (payload, source) = socket.receive(timeoutMilliseconds: 20) {
                agent.handle(datagram: payload, source: source, destination: socket.local, now: Instant.monotonicNow())
            } else {
                agent.handle(timeout: Instant.monotonicNow())
            }
            flush()
        }
        try applyCandidates(at: path)
    }

    /// Gives the agent the credentials and candidates of a peer's candidate file.
    private func applyCandidates(at path: String) throws(ProbeError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .signaling("cannot read \(path)") }
        var ufrag = "", password = ""
        var candidates: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("ufrag ") { ufrag = String(line.dropFirst(6)) }
            else if line.hasPrefix("pwd ") { password = String(line.dropFirst(4)) }
            else if !line.isEmpty { candidates.append(String(line)) }
        }
        guard !ufrag.isEmpty, !password.isEmpty else { throw .signaling("\(path) has no credentials") }
        agent.setRemoteCredentials(ICECredentials(ufrag: ufrag, password: password))
        for line in candidates {
            do { try agent.addRemoteCandidate(sdp: line) } catch { log("bad candidate line: \(line)") }
        }
        agent.setRemoteGatheringComplete()
        log("peer signalled \(candidates.count) candidates")
    }

    private func ms(_ d: Duration) -> Int { Int(d.nanosecondsClamped / 1_000_000) }

    /// Progress lines on stderr, stamped with milliseconds since start.
    func log(_ message: String) {
        let line = "[\(options.name) +\(ms(Instant.monotonicNow() - start)) ms] \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
