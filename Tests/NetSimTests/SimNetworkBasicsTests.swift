import Testing
import WireKit
@testable import NetSim

/// Addresses used inside the simulator only (RFC 5737 TEST-NETs and RFC 1918 space).
enum Addr {
    static let a = IPAddress.v4(0xC000_0201)        // 192.0.2.1
    static let b = IPAddress.v4(0xC000_0202)        // 192.0.2.2
    static let c = IPAddress.v4(0xC000_0203)        // 192.0.2.3
    static let natA = IPAddress.v4(0xC633_6401)     // 198.51.100.1
    static let natB = IPAddress.v4(0xC633_6402)     // 198.51.100.2
    static let inside1 = IPAddress.v4(0x0A00_0001)  // 10.0.0.1
    static let inside2 = IPAddress.v4(0x0A00_0002)  // 10.0.0.2
    static let v6a = IPAddress("2001:db8::1") ?? .loopbackV6
    static let v6b = IPAddress("2001:db8::2") ?? .loopbackV6

    static func at(_ ip: IPAddress, _ port: UInt16) -> TransportAddress { TransportAddress(ip: ip, port: port) }
}

@Suite struct SimNetworkBasicsTests {
    @Test func deliversWithDelayAndStampsVirtualTime() throws {
        let net = SimNetwork(seed: 1)
        let a = ClosureEndpoint()
        let b = ClosureEndpoint()
        net.addHost(a, addresses: [Addr.a], uplink: LinkConditions(delay: .milliseconds(20)))
        net.addHost(b, addresses: [Addr.b], downlink: LinkConditions(delay: .milliseconds(5)))
        a.send([1, 2, 3], from: Addr.at(Addr.a, 1000), to: Addr.at(Addr.b, 2000))
        try net.run { b.receivedCount == 1 }
        #expect(b.received.first?.payload == [1, 2, 3])
        #expect(b.received.first?.source == Addr.at(Addr.a, 1000))
        #expect(b.received.first?.destination == Addr.at(Addr.b, 2000))
        #expect(net.now == Instant(nanoseconds: 25_000_000))
        #expect(net.stats.sent == 1 && net.stats.delivered == 1)
        #expect(net.trace.map(\.event) == [.send, .deliver])
    }

    @Test func ipv6HostsTalk() throws {
        let net = SimNetwork(seed: 2)
        let a = ClosureEndpoint()
        let b = ClosureEndpoint(onDatagram: { ep, d in ep.send(d.payload.reversed(), from: d.destination, to: d.source) })
        net.addHost(a, addresses: [Addr.v6a])
        net.addHost(b, addresses: [Addr.v6b])
        a.send([1, 2], from: Addr.at(Addr.v6a, 1), to: Addr.at(Addr.v6b, 2))
        try net.run { a.receivedCount == 1 }
        #expect(a.received.first?.payload == [2, 1])
    }

    @Test func unknownDestinationIsDroppedAndCounted() throws {
        let net = SimNetwork(seed: 3)
        let a = ClosureEndpoint()
        net.addHost(a, addresses: [Addr.a])
        a.send([9], from: Addr.at(Addr.a, 1), to: Addr.at(Addr.c, 1))
        a.send([9], from: Addr.at(Addr.c, 1), to: Addr.at(Addr.a, 1))  // not its address
        try net.run(for: .seconds(1))
        #expect(net.stats.unroutable == 2)
        #expect(net.trace.map(\.event) == [.send, .send, .drop(.badSource), .drop(.noRoute)])
    }
}
