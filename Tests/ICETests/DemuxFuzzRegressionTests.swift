import ICE
import Testing
import WireKit

/// Regressions found by the `demux` libFuzzer target (contrib/fuzz/fuzz.sh --long demux).
@Suite struct DemuxFuzzRegressionTests {
    /// crash-demux-f997554517472ff64fbb3a475c7e6874e95ab135: a datagram whose first byte is in the
    /// DTLS range (33) but whose bytes 4–7 equal the STUN magic cookie was taken for STUN, failed
    /// to decode and was dropped; RFC 7983 says it is DTLS and must go up as data.
    @Test func dtlsRecordWithMagicCookieIsPassedUpAsData() {
        let local = TransportAddress(ip: IPAddress("10.0.0.1")!, port: 5000)
        let peer = TransportAddress(ip: IPAddress("203.0.113.7")!, port: 6000)
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 7))
        let now = Instant(nanoseconds: 1_000_000_000)
        agent.addLocalInterface(local)
        agent.startGathering(now: now)
        let datagram: [UInt8] = [0x21, 0x01, 0x00, 0x2C, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 2, count: 12)
        #expect(PacketKind.classify(datagram) == .dtls)
        agent.handle(datagram: datagram, source: peer, destination: local, now: now)
        var events: [ICEEvent] = []
        while let e = agent.pollEvent() { events.append(e) }
        #expect(events.contains(.data(datagram)))
        #expect(agent.counters.stunDropped == 0)
    }
}
