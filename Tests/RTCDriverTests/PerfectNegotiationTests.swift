import DataChannel
import DTLS
import Foundation
import PeerConnection
import RTCDriver
import Testing
import WireKit

/// Perfect negotiation through the async driver over loopback UDP (docs/perfect-negotiation.md):
/// both sides create a data channel at once and both offer (glare); later both restart ICE at
/// once (glare on a renegotiation). The impolite side ignores the crossing offer, the polite one
/// rolls back and answers; both end connected with messages flowing both ways on both channels.
///
/// Glare is made certain, not left to timing: each direction's signals pass a ``SignalGate``
/// that holds them until both sides' offers are waiting in it.
@Suite struct PerfectNegotiationTests {
    @Test func glareOnFirstChannelAndOnICERestart() async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let polite = try await NegotiatingPeer(name: "polite", polite: true, seed: seed)
        let impolite = try await NegotiatingPeer(name: "impolite", polite: false, seed: seed &+ 1)
        defer { Task { await polite.driver.close(); await impolite.driver.close() } }
        let gate = SignalGate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await polite.run(to: impolite, through: gate) }
            group.addTask { try await impolite.run(to: polite, through: gate) }
            group.addTask {
                try await Task.sleep(for: .seconds(120))  // a hang bound: the parallel pass starves tests for ~40-60 s
                throw TimeLimit(description: "not done within 120 s (seed \(seed))")
            }
            group.addTask {
                try await Self.scenario(polite, impolite, gate, seed: seed)
                throw Finished()
            }
            do {
                while try await group.next() != nil {}
            } catch is Finished {
                group.cancelAll()
            }
        }
    }

    static func scenario(_ polite: NegotiatingPeer, _ impolite: NegotiatingPeer, _ gate: SignalGate, seed: UInt64) async throws {
        // 1. Both create a channel before anything is signalled: both offer, the offers cross.
        _ = try await polite.driver.createDataChannel("from-polite")
        _ = try await impolite.driver.createDataChannel("from-impolite")
        await gate.waitForOffers(2)
        await gate.open()
        try await polite.recorder.wait { $0.open["from-polite"] != nil && $0.remote.contains("from-impolite") }
        try await impolite.recorder.wait { $0.open["from-impolite"] != nil && $0.remote.contains("from-polite") }
        var p = try await polite.negotiator.counts()
        var i = try await impolite.negotiator.counts()
        #expect(p.offers == 1 && i.offers == 1, "both offered (seed \(seed))")
        #expect(i.ignoredOffers == 1 && p.rollbacks == 1 && p.answers == 1, "impolite ignored, polite rolled back (seed \(seed))")
        try await exchange(polite, impolite, round: 1)

        // 2. Both restart ICE at once: a renegotiation glare on a running connection.
        let ufrags = (try await polite.localUfrag(), try await impolite.localUfrag())
        let settled = await impolite.recorder.snapshot.stableCount
        await gate.close()
        try await polite.driver.restartIce()
        try await impolite.driver.restartIce()
        await gate.waitForOffers(4)
        await gate.open()
        // The impolite side is back in stable once it applied the polite side's answer, which
        // the polite side made after rolling its own offer back.
        try await impolite.recorder.wait { $0.stable && $0.stableCount > settled }
        try await polite.recorder.wait { $0.stable }
        p = try await polite.negotiator.counts()
        i = try await impolite.negotiator.counts()
        #expect(p.offers == 2 && i.offers == 2 && i.ignoredOffers == 2 && p.rollbacks == 2, "\(p) \(i) (seed \(seed))")
        let newUfrags = (try await polite.localUfrag(), try await impolite.localUfrag())
        #expect(newUfrags.0 != ufrags.0 && newUfrags.1 != ufrags.1, "ICE restarted (seed \(seed))")
        try await exchange(polite, impolite, round: 2)
        let states = try await (polite.driver.withConnection { $0.connectionState }, impolite.driver.withConnection { $0.connectionState })
        #expect(states == (.connected, .connected), "seed \(seed)")
    }

    /// Each side sends one message on its own channel; the other receives it.
    static func exchange(_ a: NegotiatingPeer, _ b: NegotiatingPeer, round: Int) async throws {
        try await a.send("round \(round) from \(a.name)")
        try await b.send("round \(round) from \(b.name)")
        try await b.recorder.wait { $0.texts.contains("round \(round) from \(a.name)") }
        try await a.recorder.wait { $0.texts.contains("round \(round) from \(b.name)") }
    }

    struct Finished: Error {}
    struct TimeLimit: Error, CustomStringConvertible { var description: String }
}

/// One side: a driver, its negotiator, and a record of what its events said.
final class NegotiatingPeer: Sendable {
    let name: String
    let driver: RTCDriver
    let negotiator: PerfectNegotiator
    let recorder = EventRecorder()

    init(name: String, polite: Bool, seed: UInt64) async throws {
        self.name = name
        driver = try await RTCDriver.start(configuration: PeerConnectionConfiguration(identity: try DeviceIdentity.generate(), seed: seed),
                                           interfaces: .loopbackOnly)
        negotiator = PerfectNegotiator(driver: driver, polite: polite)
    }

    /// Feeds events to the negotiator and the recorder, and carries signals to `peer` through
    /// `gate`, until cancelled.
    func run(to peer: NegotiatingPeer, through gate: SignalGate) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in self.negotiator.signals {
                    await gate.pass(signal)
                    try await peer.negotiator.receive(signal)
                }
            }
            for await event in driver.events {
                try await negotiator.handle(event)
                switch event {
                case .open(let h):
                    if let label = try await driver.dataChannel(h)?.label { await recorder.opened(label, h) }
                case .dataChannel(let h):
                    let label = try await driver.dataChannel(h)?.label ?? "?"
                    await recorder.remote(label)
                    let messages = try await driver.messages(h)
                    let recorder = self.recorder
                    group.addTask {
                        for await m in messages { await recorder.received(m.text ?? "") }
                    }
                case .signalingStateChange(let s):
                    await recorder.signaling(s)
                default:
                    break
                }
            }
            try await group.waitForAll()
        }
    }

    /// Sends `text` on the channel this side created.
    func send(_ text: String) async throws {
        let h = try #require(await recorder.snapshot.open["from-\(name)"])
        try await driver.send(text: text, on: h)
    }

    /// The `a=ice-ufrag` of the current local description.
    func localUfrag() async throws -> String? {
        let sdp = try await driver.withConnection { $0.localDescription?.sdp } ?? ""
        return sdp.split(whereSeparator: \.isNewline).first { $0.hasPrefix("a=ice-ufrag:") }.map(String.init)
    }
}

/// What one side's events said, with waiting for a condition on it.
actor EventRecorder {
    struct Snapshot: Sendable {
        var open: [String: DataChannelHandle] = [:]
        var remote: Set<String> = []
        var texts: [String] = []
        var stable = true
        /// Transitions to `stable` so far.
        var stableCount = 0
    }

    private(set) var snapshot = Snapshot()
    private let watchers = Watchers()

    func opened(_ label: String, _ h: DataChannelHandle) { snapshot.open[label] = h; watchers.notify() }
    func remote(_ label: String) { snapshot.remote.insert(label); watchers.notify() }
    func received(_ text: String) { snapshot.texts.append(text); watchers.notify() }
    func signaling(_ s: SignalingState) {
        snapshot.stable = s == .stable
        if s == .stable { snapshot.stableCount += 1 }
        watchers.notify()
    }

    /// Returns once `condition` holds; throws when cancelled first (the test's time limit).
    func wait(_ condition: (Snapshot) -> Bool) async throws {
        let changes = watchers.register()
        defer { watchers.unregister(changes.id) }
        if condition(snapshot) { return }
        for await _ in changes.stream where condition(snapshot) { return }
        throw CancellationError()
    }
}

/// Holds both directions' signals while closed (in order), counting the offers that reached it.
actor SignalGate {
    private var isOpen = false
    private var offers = 0
    private let watchers = Watchers()

    /// Returns when `signal` may go on (or the task is cancelled).
    func pass(_ signal: NegotiationSignal) async {
        if case .description(let d) = signal, d.type == .offer {
            offers += 1
            watchers.notify()
        }
        let changes = watchers.register()
        defer { watchers.unregister(changes.id) }
        if isOpen { return }
        for await _ in changes.stream where isOpen { return }
    }

    /// Returns once `count` offers in all have reached the gate.
    func waitForOffers(_ count: Int) async {
        let changes = watchers.register()
        defer { watchers.unregister(changes.id) }
        if offers >= count { return }
        for await _ in changes.stream where offers >= count { return }
    }

    func open() { isOpen = true; watchers.notify() }
    func close() { isOpen = false }
}

/// Change notifications for an actor's waiters: each waiter iterates its own stream (which
/// ends when its task is cancelled) and re-checks its condition on every change.
final class Watchers {
    private var next = 0
    private var streams: [Int: AsyncStream<Void>.Continuation] = [:]

    func register() -> (id: Int, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        next += 1
        streams[next] = continuation
        return (next, stream)
    }

    func unregister(_ id: Int) { streams.removeValue(forKey: id)?.finish() }

    func notify() { for c in streams.values { c.yield() } }
}
