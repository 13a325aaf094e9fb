import Testing
import WireKit
@testable import NetSim

/// RFC 4787 mapping and filtering, checked from the outside: what remote hosts see and what
/// reaches the inside host.
@Suite struct NATBoxTests {
    /// One inside host (10.0.0.1) behind a NAT (198.51.100.1) and two public hosts (192.0.2.2, .3).
    struct Setup {
        let net: SimNetwork
        let nat: NATBox
        let inside = ClosureEndpoint()
        let b = ClosureEndpoint()
        let c = ClosureEndpoint()
        let insideAddress = Addr.at(Addr.inside1, 5000)

        init(mapping: NATBehavior, filtering: NATBehavior, timeout: Duration = .seconds(120), seed: UInt64 = 1) {
            net = SimNetwork(seed: seed)
            nat = net.addNAT(publicAddress: Addr.natA, mapping: mapping, filtering: filtering, mappingTimeout: timeout)
            net.addHost(inside, addresses: [Addr.inside1], behind: nat)
            net.addHost(b, addresses: [Addr.b])
            net.addHost(c, addresses: [Addr.c])
        }

        init(_ type: NATType, timeout: Duration = .seconds(120)) {
            self.init(mapping: type.mapping, filtering: type.filtering, timeout: timeout)
        }

        /// Sends from the inside host to `remote` and returns the source the remote saw.
        func out(to remote: TransportAddress, _ tag: UInt8 = 0) throws -> TransportAddress? {
            let target = remote.ip == Addr.b ? b : c
            let before = target.receivedCount
            inside.send([tag], from: insideAddress, to: remote)
            try net.run(maxTime: .seconds(1)) { target.receivedCount > before }
            return target.received.last?.source
        }

        /// Sends from a public host to `external`; true when the inside host got it.
        func into(from remote: TransportAddress, to external: TransportAddress) throws -> Bool {
            let sender = remote.ip == Addr.b ? b : c
            let before = inside.receivedCount
            sender.send([0xEE], from: remote, to: external)
            try net.run(for: .milliseconds(10))
            guard inside.receivedCount == before + 1, let got = inside.received.last else { return false }
            return got.source == remote && got.destination == insideAddress
        }
    }

    @Test func symmetricNATUsesANewPortPerDestination() throws {
        let s = Setup(.symmetric)
        let toB = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        let toC = try #require(try s.out(to: Addr.at(Addr.c, 7000)))
        let toB2 = try #require(try s.out(to: Addr.at(Addr.b, 7001)))
        let toBAgain = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        #expect(toB.ip == Addr.natA && toC.ip == Addr.natA && toB2.ip == Addr.natA)
        #expect(Set([toB.port, toC.port, toB2.port]).count == 3)
        #expect(toBAgain == toB, "an existing mapping is reused for the same destination")
        #expect(s.nat.mappings(at: s.net.now).count == 3)
    }

    @Test(arguments: [NATType.fullCone, .restrictedCone, .portRestrictedCone])
    func endpointIndependentMappingReusesOnePort(type: NATType) throws {
        let s = Setup(type)
        let toB = try s.out(to: Addr.at(Addr.b, 7000))
        let toC = try s.out(to: Addr.at(Addr.c, 7000))
        let toB2 = try s.out(to: Addr.at(Addr.b, 7001))
        #expect(toB != nil && toB == toC && toB == toB2)
        #expect(s.nat.mappings(at: s.net.now).count == 1)
    }

    @Test func addressDependentMappingReusesPortPerRemoteIP() throws {
        let s = Setup(mapping: .addressDependent, filtering: .addressDependent)
        let toB = try s.out(to: Addr.at(Addr.b, 7000))
        let toB2 = try s.out(to: Addr.at(Addr.b, 7001))
        let toC = try s.out(to: Addr.at(Addr.c, 7000))
        #expect(toB != nil && toB == toB2 && toB != toC)
    }

    @Test func fullConeAcceptsAnyoneAfterMapping() throws {
        let s = Setup(.fullCone)
        let mapped = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        #expect(try s.into(from: Addr.at(Addr.c, 9999), to: mapped))
        #expect(try s.into(from: Addr.at(Addr.b, 1), to: mapped))
    }

    @Test func restrictedConeNeedsPriorContactWithThatIP() throws {
        let s = Setup(.restrictedCone)
        let mapped = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        #expect(try s.into(from: Addr.at(Addr.b, 7001), to: mapped), "any port of a contacted IP passes")
        #expect(try !s.into(from: Addr.at(Addr.c, 7000), to: mapped))
        #expect(s.net.trace.last?.event == .drop(.natFiltered))
        _ = try s.out(to: Addr.at(Addr.c, 1234))
        #expect(try s.into(from: Addr.at(Addr.c, 7000), to: mapped), "after contact with C's IP")
    }

    @Test(arguments: [NATType.portRestrictedCone, .symmetric])
    func portRestrictedDropsUnsolicited(type: NATType) throws {
        let s = Setup(type)
        let mapped = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        #expect(try s.into(from: Addr.at(Addr.b, 7000), to: mapped), "the reply from the contacted IP:port passes")
        #expect(try !s.into(from: Addr.at(Addr.b, 7001), to: mapped))
        #expect(try !s.into(from: Addr.at(Addr.c, 7000), to: mapped))
        #expect(s.net.stats.natDropped == 2)
        #expect(s.net.trace.last?.event == .drop(.natFiltered))
    }

    @Test(arguments: NATType.allCases) func nothingGetsInWithoutAMapping(type: NATType) throws {
        let s = Setup(type)
        #expect(try !s.into(from: Addr.at(Addr.b, 7000), to: Addr.at(Addr.natA, 49_152)))
        #expect(s.net.trace.last?.event == .drop(.natNoMapping))
        // A mapping opens only its own port.
        let mapped = try #require(try s.out(to: Addr.at(Addr.b, 7000)))
        #expect(try !s.into(from: Addr.at(Addr.b, 7000), to: Addr.at(Addr.natA, mapped.port &+ 1)))
    }

    @Test func mappingExpiresAfterIdleTimeoutAndOutboundRefreshes() throws {
        let s = Setup(.portRestrictedCone, timeout: .seconds(30))
        let b = Addr.at(Addr.b, 7000)
        let first = try #require(try s.out(to: b))
        try s.net.run(for: .seconds(20))
        #expect(try s.into(from: b, to: first), "alive at 20 s")
        _ = try s.out(to: b)  // refresh at ~20 s
        try s.net.run(for: .seconds(25))
        #expect(try s.into(from: b, to: first), "refreshed by outbound: alive at 45 s")
        try s.net.run(for: .seconds(10))
        #expect(try !s.into(from: b, to: first), "expired 30 s after the last outbound datagram")
        #expect(s.net.trace.last?.event == .drop(.natNoMapping))
        #expect(s.nat.mappings(at: s.net.now).isEmpty)
        let second = try #require(try s.out(to: b))
        #expect(second != first, "a new mapping gets a new port")
    }

    @Test func inboundRefreshIsOptional() throws {
        for refresh in [false, true] {
            let s = Setup(.fullCone, timeout: .seconds(30))
            s.nat.inboundRefresh = refresh
            let b = Addr.at(Addr.b, 7000)
            let mapped = try #require(try s.out(to: b))
            try s.net.run(for: .seconds(25))
            #expect(try s.into(from: b, to: mapped))
            try s.net.run(for: .seconds(10))
            #expect(try s.into(from: b, to: mapped) == refresh)
        }
    }

    @Test func hairpinningIsOptional() throws {
        for hairpin in [false, true] {
            let net = SimNetwork(seed: 5)
            let nat = net.addNAT(publicAddress: Addr.natA, type: .fullCone)
            nat.hairpinning = hairpin
            let one = ClosureEndpoint(), two = ClosureEndpoint(), b = ClosureEndpoint()
            net.addHost(one, addresses: [Addr.inside1], behind: nat)
            net.addHost(two, addresses: [Addr.inside2], behind: nat)
            net.addHost(b, addresses: [Addr.b])
            two.send([1], from: Addr.at(Addr.inside2, 6000), to: Addr.at(Addr.b, 7000))
            one.send([2], from: Addr.at(Addr.inside1, 5000), to: Addr.at(Addr.b, 7000))
            try net.run(for: .seconds(1))
            let twoMapped = try #require(b.received.first { $0.payload == [1] }?.source)
            let oneMapped = try #require(b.received.first { $0.payload == [2] }?.source)
            one.send([3], from: Addr.at(Addr.inside1, 5000), to: twoMapped)
            try net.run(for: .seconds(1))
            if hairpin {
                #expect(two.received.map(\.payload) == [[3]])
                #expect(two.received.first?.source == oneMapped, "hairpinned datagrams carry the external source")
            } else {
                #expect(two.receivedCount == 0)
                #expect(net.trace.last?.event == .drop(.natHairpin))
            }
        }
    }

    @Test func insideHostsTalkDirectlyAndPrivateAddressesRepeatAcrossNATs() throws {
        let net = SimNetwork(seed: 6)
        let natA = net.addNAT(publicAddress: Addr.natA, type: .symmetric)
        let natB = net.addNAT(publicAddress: Addr.natB, type: .symmetric)
        let a1 = ClosureEndpoint(), a2 = ClosureEndpoint(), b1 = ClosureEndpoint()
        net.addHost(a1, addresses: [Addr.inside1], behind: natA)
        net.addHost(a2, addresses: [Addr.inside2], behind: natA)
        net.addHost(b1, addresses: [Addr.inside1], behind: natB)  // same private address, other realm
        a1.send([1], from: Addr.at(Addr.inside1, 1), to: Addr.at(Addr.inside2, 2))
        try net.run(for: .seconds(1))
        #expect(a2.received.first?.source == Addr.at(Addr.inside1, 1), "LAN traffic is not translated")
        #expect(b1.receivedCount == 0 && natA.mappings(at: net.now).isEmpty)
    }

    /// Two hosts behind NATs learn their mapped addresses from a public "STUN" host, then both
    /// send to each other's mapped address (hole punching). Cone NATs let it through; with
    /// symmetric NATs on both sides the mapping toward the peer differs from the one toward
    /// the STUN host, so the punch fails.
    @Test(arguments: [(NATType.fullCone, true), (.restrictedCone, true), (.portRestrictedCone, true), (.symmetric, false)])
    func holePunching(type: NATType, works: Bool) throws {
        let net = SimNetwork(seed: 7)
        let natA = net.addNAT(publicAddress: Addr.natA, type: type)
        let natB = net.addNAT(publicAddress: Addr.natB, type: type)
        let a = ClosureEndpoint(), b = ClosureEndpoint()
        let stun = echoEndpoint()
        net.addHost(a, addresses: [Addr.inside1], uplink: LinkConditions(delay: .milliseconds(10)), behind: natA)
        net.addHost(b, addresses: [Addr.inside1], uplink: LinkConditions(delay: .milliseconds(15)), behind: natB)
        net.addHost(stun, addresses: [Addr.c])
        let aLocal = Addr.at(Addr.inside1, 4000), bLocal = Addr.at(Addr.inside1, 4001)
        a.send([0], from: aLocal, to: Addr.at(Addr.c, 3478))
        b.send([0], from: bLocal, to: Addr.at(Addr.c, 3478))
        try net.run(maxTime: .seconds(1)) { stun.receivedCount == 2 }
        let aMapped = try #require(stun.received.first { $0.source.ip == Addr.natA }?.source)
        let bMapped = try #require(stun.received.first { $0.source.ip == Addr.natB }?.source)
        for round in 1...3 {
            a.send([UInt8(round)], from: aLocal, to: bMapped)
            b.send([UInt8(round)], from: bLocal, to: aMapped)
            try net.run(for: .milliseconds(100))
        }
        let aGot = a.received.filter { $0.source.ip == Addr.natB }.count
        let bGot = b.received.filter { $0.source.ip == Addr.natA }.count
        #expect((aGot > 0 && bGot > 0) == works, "\(type): a got \(aGot), b got \(bGot)")
    }
}
