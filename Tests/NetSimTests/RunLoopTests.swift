import Testing
import WireKit
@testable import NetSim

@Suite struct RunLoopTests {
    /// Two endpoints that bounce a datagram back and forth forever.
    func pingPong(seed: UInt64) -> (SimNetwork, ClosureEndpoint, ClosureEndpoint) {
        let net = SimNetwork(seed: seed)
        let a = echoEndpoint()
        let b = echoEndpoint()
        net.addHost(a, addresses: [Addr.a], uplink: LinkConditions(delay: .milliseconds(1)))
        net.addHost(b, addresses: [Addr.b])
        a.send([1, 2, 3], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        return (net, a, b)
    }

    @Test func stepLimitErrorCarriesSeedAndTraceTail() throws {
        let (net, _, _) = pingPong(seed: 0xDEAD_BEEF)
        do {
            try net.run(maxSteps: 500) { false }
            Issue.record("expected the step limit")
        } catch .stepLimit(let failure) {
            #expect(failure.seed == 0xDEAD_BEEF)
            #expect(failure.steps == 500)
            #expect(failure.traceTail.count == 50)
            let text = SimError.stepLimit(failure).description
            #expect(text.contains("seed \(0xDEAD_BEEF)"))
            #expect(text.contains("deliver 192.0.2.1:1 -> 192.0.2.2:2"))
            #expect(text.split(separator: "\n").count > 50)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func timeLimitStopsBeforeTheBound() throws {
        let (net, _, _) = pingPong(seed: 2)
        #expect(throws: SimError.self) { try net.run(maxTime: .milliseconds(100)) { false } }
        #expect(net.now <= Instant(nanoseconds: 100_000_000) && net.now >= Instant(nanoseconds: 99_000_000))
        do {
            try net.run(maxTime: .milliseconds(10)) { false }
        } catch {
            guard case .timeLimit = error else { Issue.record("expected a time limit, got \(error)"); return }
            #expect(error.seed == 2)
        }
    }

    @Test func stallsWhenNothingIsScheduled() throws {
        let net = SimNetwork(seed: 3)
        net.addHost(ClosureEndpoint(), addresses: [Addr.a])
        do {
            try net.run { false }
            Issue.record("expected a stall")
        } catch {
            guard case .stalled = error else { Issue.record("expected .stalled, got \(error)"); return }
        }
        try net.run { true }  // an already-true condition returns at once
    }

    @Test func timersFireAtTheirDeadlinesAndRunForStopsOnTime() throws {
        let net = SimNetwork(seed: 4, start: Instant(nanoseconds: 1_000))
        var fired: [Instant] = []
        let e = ClosureEndpoint(onTimeout: { ep, now in
            fired.append(now)
            if fired.count < 5 { ep.timer = now + .milliseconds(300) }
        })
        e.timer = Instant(nanoseconds: 1_000) + .milliseconds(300)
        net.addHost(e, addresses: [Addr.a])
        try net.run(for: .seconds(1))
        #expect(net.now == Instant(nanoseconds: 1_000) + .seconds(1))
        #expect(fired == [300, 600, 900].map { Instant(nanoseconds: 1_000) + .milliseconds($0) })
        try net.run(for: .seconds(1))
        #expect(fired.count == 5)
    }

    @Test func dropNextDropsExactlyThatMany() throws {
        let net = SimNetwork(seed: 5)
        let a = ClosureEndpoint(), b = ClosureEndpoint()
        let ha = net.addHost(a, addresses: [Addr.a])
        net.addHost(b, addresses: [Addr.b])
        net.dropNext(2, from: ha)
        for i in 0..<5 { a.send(numbered(i), from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2)) }
        try net.run(for: .seconds(1))
        #expect(b.received.map { sequenceNumber($0.payload) } == [2, 3, 4])
        #expect(net.stats.faultDropped == 2)
    }

    @Test func dropWherePredicateAndClearFaults() throws {
        let net = SimNetwork(seed: 6)
        let a = ClosureEndpoint(), b = ClosureEndpoint()
        net.addHost(a, addresses: [Addr.a])
        net.addHost(b, addresses: [Addr.b])
        net.drop { sequenceNumber($0.payload) % 2 == 1 }
        for i in 0..<6 { a.send(numbered(i), from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2)) }
        try net.run(for: .seconds(1))
        #expect(b.received.map { sequenceNumber($0.payload) } == [0, 2, 4])
        net.clearFaults()
        a.send(numbered(7), from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .seconds(1))
        #expect(b.received.last.map { sequenceNumber($0.payload) } == 7)
    }

    @Test func blackholeDropsBothWaysForItsDurationIncludingInFlight() throws {
        let net = SimNetwork(seed: 7)
        let a = ClosureEndpoint(), b = ClosureEndpoint()
        net.addHost(a, addresses: [Addr.a], uplink: LinkConditions(delay: .milliseconds(50)))
        let hb = net.addHost(b, addresses: [Addr.b])
        a.send([1], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .milliseconds(10))
        net.blackhole(hb, for: .seconds(1))  // [1] is still on a's uplink
        b.send([2], from: Addr.at(Addr.b, 2), to: Addr.at(Addr.a, 1))
        try net.run(for: .milliseconds(500))
        a.send([3], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .milliseconds(600))
        a.send([4], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .milliseconds(100))
        #expect(a.receivedCount == 0)
        // [3] left at 510 ms and arrives at 560 ms, inside the blackhole.
        #expect(b.received.map(\.payload) == [[4]])
        #expect(net.stats.faultDropped == 3)
    }

    @Test func changingLinkConditionsMidRunTakesEffect() throws {
        let net = SimNetwork(seed: 8)
        let a = ClosureEndpoint(), b = ClosureEndpoint()
        let ha = net.addHost(a, addresses: [Addr.a])
        net.addHost(b, addresses: [Addr.b])
        a.send([1], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .seconds(1))
        net.setUplink(ha, LinkConditions(delay: .milliseconds(250)))
        #expect(net.uplink(ha).delay == .milliseconds(250))
        a.send([2], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run { b.receivedCount == 2 }
        #expect(b.received.last?.time == Instant(nanoseconds: 1_250_000_000))
        net.setDownlink(net.hostIDs[1], LinkConditions(loss: 1))
        a.send([3], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        try net.run(for: .seconds(1))
        #expect(b.receivedCount == 2 && net.stats.lost == 1)
    }
}
