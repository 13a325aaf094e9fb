import Testing
@testable import WireKit

@Suite struct AddressTests {
    @Test(arguments: ["127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "fe80::1", "2001:db8::8:800:200c:417a", "::ffff:1.2.3.4"])
    func parsesAndPrintsCanonically(text: String) throws {
        let ip = try #require(IPAddress(text))
        let again = try #require(IPAddress(ip.description))
        #expect(again == ip)
        #expect(IPAddress(bytes: ip.bytes) == ip)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1::2::3", "12345::", "example.com", "1.2.3.4:5", ":::"])
    func rejectsInvalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func transportAddressForms() throws {
        #expect(TransportAddress("127.0.0.1:5000")?.port == 5000)
        #expect(TransportAddress("[::1]:9")?.ip == .loopbackV6)
        #expect(TransportAddress("[::1]:9")?.description == "[::1]:9")
        #expect(TransportAddress("::1:9") == nil)
        #expect(IPAddress("127.0.0.2")!.isLoopback)
        #expect(IPAddress("fe80::1")!.isLinkLocal)
    }

    @Test func instantArithmetic() {
        let t = Instant(nanoseconds: 1_000)
        #expect((t + .microseconds(1)).nanoseconds == 2_000)
        #expect((t - .seconds(1)).nanoseconds == 0)
        #expect((t + .seconds(1)) - t == .seconds(1))
        #expect(t - (t + .seconds(1)) == .seconds(-1))
        #expect(Instant(nanoseconds: .max - 1) + .seconds(5) == Instant(nanoseconds: .max))
        let a = Instant.monotonicNow(), b = Instant.monotonicNow()
        #expect(b >= a)
    }

    @Test func demuxByFirstByte() {
        #expect(PacketKind.classify([0x00, 0x01]) == .stun)
        #expect(PacketKind.classify([22, 0xFE]) == .dtls)
        #expect(PacketKind.classify([0x40, 0]) == .turnChannelData)
        #expect(PacketKind.classify([0x80, 111]) == .rtpOrRTCP)
        #expect(PacketKind.isRTCP([0x80, 200]))
        #expect(!PacketKind.isRTCP([0x80, 111]))
        #expect(PacketKind.classify([UInt8]()) == .unknown)
        #expect(PacketKind.classify([0xFF]) == .unknown)
    }

    @Test func seededRandomIsReproducible() {
        var a = SeededRandom(seed: 77), b = SeededRandom(seed: 77), c = SeededRandom(seed: 78)
        let sa = (0..<10).map { _ in a.next() }
        #expect(sa == (0..<10).map { _ in b.next() })
        #expect(sa != (0..<10).map { _ in c.next() })
        var hits = 0
        for _ in 0..<100_000 where a.chance(0.25) { hits += 1 }
        #expect(abs(Double(hits) / 100_000 - 0.25) < 0.01)
    }
}
