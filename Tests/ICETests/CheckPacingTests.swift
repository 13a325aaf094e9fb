import ICE
import STUN
import Testing
import WireKit

/// Connectivity-check retransmission timing (RFC 8445 §14.3): the first RTO of a check is
/// MAX(500 ms, Ta × (waiting + in-progress pairs)), bounded by the configured maximum.
@Suite struct CheckPacingTests {
    /// Drives one agent whose checks go unanswered; returns, per destination, the times its
    /// checks were sent.
    static func sendTimes(remotes: Int, seed: UInt64, for duration: Duration) -> [TransportAddress: [Instant]] {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlling, seed: seed))
        agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        agent.startGathering(now: .zero)
        agent.setRemoteCredentials(ICECredentials(ufrag: "peer", password: "peerpasswordpeerpassword"))
        for i in 0..<remotes {
            agent.addRemoteCandidate(Candidate(foundation: "f\(i)", priority: UInt32(1000 + i),
                                               address: TransportAddress(ip: IPAddress("198.51.100.2")!, port: UInt16(6000 + i)),
                                               type: .host))
        }
        var times: [TransportAddress: [Instant]] = [:]
        var now = Instant.zero
        let end = Instant.zero + duration
        for _ in 0..<100_000 {
            while let t = agent.pollTransmit() { times[t.destination, default: []].append(now) }
            while agent.pollEvent() != nil {}
            guard let next = agent.pollTimeout(), next <= end else { break }
            now = max(now, next)
            agent.handle(timeout: now)
        }
        return times
    }

    @Test func fewPairsUseTheMinimumRTO() {
        let times = Self.sendTimes(remotes: 2, seed: 0x71, for: .seconds(2))
        for (destination, sent) in times {
            #expect(sent.count >= 2, "\(destination): \(sent)")
            if sent.count >= 2 { #expect(sent[1] - sent[0] == .milliseconds(500), "\(destination): \(sent)") }
        }
    }

    @Test func manyPairsStretchTheRTO() {
        // 20 pairs, Ta 50 ms: the first check goes out while 20 pairs are waiting or in
        // progress, so its RTO is 20 × 50 ms = 1 s (not the 500 ms floor).
        let times = Self.sendTimes(remotes: 20, seed: 0x72, for: .seconds(4))
        let first = times.values.min { ($0.first ?? .zero) < ($1.first ?? .zero) }
        let sent = first ?? []
        #expect(sent.count >= 2, "\(sent)")
        if sent.count >= 2 { #expect(sent[1] - sent[0] == .seconds(1), "\(sent)") }
    }

    @Test func theRTOIsBounded() {
        // 60 pairs would give 3 s; the configured maximum RTO (1.6 s) bounds it.
        let times = Self.sendTimes(remotes: 60, seed: 0x73, for: .seconds(6))
        for (destination, sent) in times where sent.count >= 2 {
            #expect(sent[1] - sent[0] <= .milliseconds(1600), "\(destination): \(sent)")
        }
        #expect(times.values.contains { $0.count >= 2 && $0[1] - $0[0] == .milliseconds(1600) })
    }
}
