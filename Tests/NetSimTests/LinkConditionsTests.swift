import Testing
import WireKit
@testable import NetSim

@Suite struct LinkConditionsTests {
    /// Sends `count` numbered datagrams from A to B over `uplink` and returns B's arrivals.
    func stream(seed: UInt64, count: Int, batch: Int = 100, interval: Duration = .milliseconds(1), size: Int = 100,
                uplink: LinkConditions, downlink: LinkConditions = .perfect,
                traceCapacity: Int = 100) throws -> (SimNetwork, ClosureEndpoint) {
        let net = SimNetwork(seed: seed, traceCapacity: traceCapacity)
        let a = pacedSender(count: count, batch: batch, interval: interval, size: size,
                            from: Addr.at(Addr.a, 1000), to: Addr.at(Addr.b, 2000))
        let b = ClosureEndpoint()
        net.addHost(a, addresses: [Addr.a], uplink: uplink)
        net.addHost(b, addresses: [Addr.b], downlink: downlink)
        try net.run(maxSteps: 10 * count + 1000, maxTime: .seconds(3600)) { a.timer == nil && net.inFlight == 0 }
        return (net, b)
    }

    @Test func randomLossMatchesConfiguredRateOver100kPackets() throws {
        let seed: UInt64 = 0x10557
        let (net, b) = try stream(seed: seed, count: 100_000, uplink: LinkConditions(loss: 0.03))
        let measured = Double(net.stats.lost) / Double(net.stats.sent)
        print("random loss: configured 0.03, measured \(measured) over \(net.stats.sent) packets (seed \(seed))")
        #expect(net.stats.sent == 100_000)
        #expect(UInt64(b.receivedCount) == net.stats.sent - net.stats.lost)
        #expect(abs(measured - 0.03) < 0.003, "seed \(seed)")
    }

    @Test(arguments: [2.0, 4.0, 8.0]) func burstLossHasConfiguredMeanBurstLength(burst: Double) throws {
        let seed: UInt64 = 0xB0257
        let model = GilbertElliott(meanLoss: 0.05, meanBurstLength: burst)
        #expect(abs(model.meanBurstLength - burst) < 1e-9 && abs(model.stationaryLoss - 0.05) < 1e-9)
        let (net, b) = try stream(seed: seed, count: 100_000, uplink: LinkConditions(burstLoss: model))
        var got = [Bool](repeating: false, count: 100_000)
        for d in b.received { got[sequenceNumber(d.payload)] = true }
        var bursts = 0, lostTotal = 0, run = 0
        for ok in got {
            if ok {
                if run > 0 { bursts += 1; lostTotal += run; run = 0 }
            } else {
                run += 1
            }
        }
        if run > 0 { bursts += 1; lostTotal += run }
        let meanBurst = Double(lostTotal) / Double(max(bursts, 1))
        let loss = Double(lostTotal) / 100_000
        print("burst loss: configured burst \(burst), measured \(meanBurst) over \(bursts) bursts; loss \(loss) (seed \(seed))")
        #expect(UInt64(lostTotal) == net.stats.lost)
        #expect(abs(meanBurst - burst) / burst < 0.1, "seed \(seed)")
        #expect(abs(loss - 0.05) < 0.012, "seed \(seed)")
    }

    @Test func rateCapShapesThroughputAndTailDrops() throws {
        let seed: UInt64 = 0x4A7E
        // 1000-byte payloads are 1028 bytes on the link; offer 4 Mbit/s to a 2 Mbit/s link for 10 s.
        let rate: UInt64 = 2_000_000
        let queue = 32 * 1024
        let interval = Duration.nanoseconds(1028 * 8 * 1_000_000_000 / 4_000_000)
        let (net, b) = try stream(seed: seed, count: 4863, batch: 1, interval: interval, size: 1000,
                                  uplink: LinkConditions(delay: .milliseconds(20), rateBitsPerSecond: rate, queueLimitBytes: queue))
        let window = b.received.filter { $0.time >= Instant(nanoseconds: 1_000_000_000) && $0.time < Instant(nanoseconds: 10_000_000_000) }
        let bps = Double(window.count * 1028 * 8) / 9
        print("rate cap: configured \(rate) bit/s, measured \(bps) bit/s on the wire; queue drops \(net.stats.queueDropped) (seed \(seed))")
        #expect(abs(bps - Double(rate)) / Double(rate) < 0.02, "seed \(seed)")
        #expect(net.stats.queueDropped > 2000 && net.stats.queueDropped < 2600)
        #expect(net.stats.delivered + net.stats.queueDropped == net.stats.sent)
        // The queue bounds the delay: one-way delay stays below propagation + a full queue.
        let sendInterval = interval.nanosecondsClamped
        let worst = b.received.map { $0.time.nanoseconds - UInt64(sequenceNumber($0.payload)) * UInt64(sendInterval) }.max() ?? 0
        let bound = 20_000_000 + UInt64(queue + 1028) * 8 * 1_000_000_000 / rate
        #expect(worst <= bound && worst > bound / 2)
    }

    @Test func underTheCapNothingIsDroppedAndRateIsKept() throws {
        let (net, b) = try stream(seed: 7, count: 1000, batch: 1, interval: .milliseconds(10), size: 1000,
                                  uplink: LinkConditions(rateBitsPerSecond: 2_000_000))
        #expect(net.stats.queueDropped == 0 && b.receivedCount == 1000)
        // Each datagram is late by exactly its serialisation time (1028 B at 2 Mbit/s = 4.112 ms).
        #expect(b.received.allSatisfy { $0.time.nanoseconds - UInt64(sequenceNumber($0.payload)) * 10_000_000 == 4_112_000 })
    }

    @Test func tailDropKeepsOnlyWhatFitsTheQueue() throws {
        let (net, b) = try stream(seed: 8, count: 100, batch: 100, size: 1000,
                                  uplink: LinkConditions(rateBitsPerSecond: 1_000_000, queueLimitBytes: 10 * 1024))
        // The queue holds the datagram being serialised too: 9 × 1028 B fit in 10 KiB, 10 do not.
        #expect(b.receivedCount == 9)
        #expect(b.received.map { sequenceNumber($0.payload) } == Array(0..<9))
        #expect(net.stats.queueDropped == 91)
    }

    @Test func jitterDoesNotReorder() throws {
        let seed: UInt64 = 0x1177
        let (_, b) = try stream(seed: seed, count: 5000, batch: 1, uplink: LinkConditions(delay: .milliseconds(50), jitter: .milliseconds(30)))
        let order = b.received.map { sequenceNumber($0.payload) }
        #expect(order == Array(0..<5000), "seed \(seed)")
        let delays = b.received.map { $0.time.nanoseconds - UInt64(sequenceNumber($0.payload)) * 1_000_000 }
        #expect((delays.min() ?? 0) >= 20_000_000 && (delays.max() ?? 0) <= 80_000_000)
        #expect(Set(delays).count > 1000, "jitter varies the delay")
    }

    @Test func reorderingHoldsBackTheConfiguredShare() throws {
        let seed: UInt64 = 0x2E02
        let (net, b) = try stream(seed: seed, count: 20_000, batch: 1,
                                  uplink: LinkConditions(delay: .milliseconds(20), jitter: .milliseconds(2), reorder: 0.05))
        let order = b.received.map { sequenceNumber($0.payload) }
        var late = 0
        var highest = -1
        for s in order { if s < highest { late += 1 } else { highest = s } }
        let share = Double(net.stats.reordered) / 20_000
        print("reorder: configured 0.05, held back \(share), arrived late \(late) (seed \(seed))")
        #expect(abs(share - 0.05) < 0.008, "seed \(seed)")
        #expect(late == Int(net.stats.reordered), "every held-back datagram is overtaken at 1 ms spacing")
        #expect(Set(order) == Set(0..<20_000))
    }

    @Test func duplicationDeliversExtraCopies() throws {
        let seed: UInt64 = 0xD00B
        let (net, b) = try stream(seed: seed, count: 20_000, uplink: LinkConditions(delay: .milliseconds(5), duplicate: 0.1),
                                  traceCapacity: 100_000)
        let share = Double(net.stats.duplicated) / 20_000
        #expect(abs(share - 0.1) < 0.012, "seed \(seed)")
        #expect(UInt64(b.receivedCount) == 20_000 + net.stats.duplicated)
        #expect(net.trace.contains { $0.event == .duplicate })
    }

    @Test func mtuCountsHeadersPerAddressFamily() throws {
        let net = SimNetwork(seed: 9)
        let a = ClosureEndpoint()
        let b = ClosureEndpoint()
        let link = LinkConditions(mtu: 1000)
        net.addHost(a, addresses: [Addr.a, Addr.v6a], uplink: link)
        net.addHost(b, addresses: [Addr.b, Addr.v6b])
        a.send([UInt8](repeating: 1, count: 972), from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))  // 1000 on the wire
        a.send([UInt8](repeating: 2, count: 973), from: Addr.at(Addr.a, 1), to: Addr.at(Addr.b, 2))
        a.send([UInt8](repeating: 3, count: 952), from: Addr.at(Addr.v6a, 1), to: Addr.at(Addr.v6b, 2))
        a.send([UInt8](repeating: 4, count: 953), from: Addr.at(Addr.v6a, 1), to: Addr.at(Addr.v6b, 2))
        try net.run(for: .seconds(1))
        #expect(b.received.map { $0.payload.first } == [1, 3])
        #expect(net.stats.oversize == 2)
    }
}
