import DTLS
#if canImport(Glibc)
import Glibc
#endif
import WireKit

/// Two endpoints in one process, with a seeded lossy link between them.
///
/// Time is the real monotonic clock, because OpenSSL's retransmission timer is real time (see
/// `DTLSEndpoint`): when nothing is in flight the loop waits until the earliest deadline the
/// endpoints report, never longer, and gives up after `limit`.
final class DTLSPair {
    let client: DTLSEndpoint
    let server: DTLSEndpoint
    let clientIdentity: DeviceIdentity
    let serverIdentity: DeviceIdentity
    var rng: SeededRandom
    var lossRate: Double
    var clientEvents: [DTLSEvent] = []
    var serverEvents: [DTLSEvent] = []
    var clientData: [[UInt8]] = []
    var serverData: [[UInt8]] = []
    var dropped = 0
    var delivered = 0
    /// Every datagram each side sent (for MTU checks).
    var sentSizes: [Int] = []

    static let sharedClientIdentity = try? DeviceIdentity.generate()
    static let sharedServerIdentity = try? DeviceIdentity.generate()

    init(seed: UInt64 = 1, lossRate: Double = 0,
         configure: (inout DTLSConfiguration, inout DTLSConfiguration) -> Void = { _, _ in }) throws {
        guard let c = Self.sharedClientIdentity, let s = Self.sharedServerIdentity else {
            throw DTLSError.configuration("identity generation failed")
        }
        clientIdentity = c
        serverIdentity = s
        var clientConfig = DTLSConfiguration(role: .client, identity: c, remoteFingerprints: [s.fingerprint])
        var serverConfig = DTLSConfiguration(role: .server, identity: s, remoteFingerprints: [c.fingerprint])
        clientConfig.initialRetransmissionTimeout = .milliseconds(20)
        serverConfig.initialRetransmissionTimeout = .milliseconds(20)
        clientConfig.maximumRetransmissionTimeout = .milliseconds(200)
        serverConfig.maximumRetransmissionTimeout = .milliseconds(200)
        configure(&clientConfig, &serverConfig)
        client = try DTLSEndpoint(configuration: clientConfig)
        server = try DTLSEndpoint(configuration: serverConfig)
        rng = SeededRandom(seed: seed)
        self.lossRate = lossRate
    }

    var now: Instant { Instant.monotonicNow() }

    /// Starts both and runs until both are connected or one fails.
    @discardableResult
    func handshake(limit: Duration = .seconds(10)) -> Bool {
        client.start(now: now)
        server.start(now: now)
        return run(limit: limit) {
            (client.state == .connected && server.state == .connected)
                || client.state == .failed || server.state == .failed
        }
    }

    /// Moves datagrams and fires timers until `done()` holds, nothing can happen any more, or
    /// `limit` of real time passed. Returns whether `done()` held.
    @discardableResult
    func run(limit: Duration = .seconds(10), until done: () -> Bool) -> Bool {
        let deadline = now + limit
        while now < deadline {
            collectEvents()
            if done() { return true }
            var moved = false
            for (from, to) in [(client, server), (server, client)] {
                var batch: [[UInt8]] = []
                while let datagram = from.pollTransmit() {
                    sentSizes.append(datagram.count)
                    if rng.chance(lossRate) { dropped += 1 } else { batch.append(datagram) }
                }
                for datagram in batch {
                    moved = true
                    delivered += 1
                    to.handle(datagram: datagram, now: now)
                }
            }
            if moved { continue }
            collectEvents()
            if done() { return true }
            let timeouts = [client.pollTimeout(), server.pollTimeout()].compactMap { $0 }
            guard let next = timeouts.min() else { return done() }
            let wait = next - now
            if wait > .zero {
                let us = min(wait, deadline - now).nanosecondsClamped / 1000
                usleep(UInt32(clamping: max(us, 0)))
            }
            client.handle(timeout: now)
            server.handle(timeout: now)
        }
        collectEvents()
        return done()
    }

    func collectEvents() {
        while let e = client.pollEvent() {
            if case let .applicationData(d) = e { clientData.append(d) } else { clientEvents.append(e) }
        }
        while let e = server.pollEvent() {
            if case let .applicationData(d) = e { serverData.append(d) } else { serverEvents.append(e) }
        }
    }
}
