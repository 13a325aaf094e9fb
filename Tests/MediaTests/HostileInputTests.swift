import Testing
import WireKit
import RTP
@testable import Media

@Suite struct HostileInputTests {
    @Test func randomBytesNeverTrapDecodersOrParsers() throws {
        var rng = SeededRandom(seed: 0xBAD_5EED)
        let opus = try OpusDecoder()
        let vp8 = try VP8Decoder()
        var depayloader = VP8Depayloader()
        var dtmf = DTMFReceiver()
        let receiver = try OpusReceiver()
        var now = Instant.zero
        for i in 0..<2000 {
            let bytes = rng.bytes(Int(rng.next() % 300))
            _ = try? opus.decode(bytes)
            if i % 4 == 0 { _ = try? vp8.decode(bytes) }
            _ = try? WAVFile(parsing: Array("RIFF".utf8) + bytes)
            var y4m = try? Y4MReader(bytes: Array("YUV4MPEG2 W16 H16\n".utf8) + bytes + Array("FRAME\n".utf8) + bytes)
            _ = y4m?.nextFrame()
            let packet = RTPPacket(payloadType: 96, sequenceNumber: UInt16(truncatingIfNeeded: rng.next()),
                                   timestamp: UInt32(truncatingIfNeeded: rng.next() % 4), ssrc: 1,
                                   marker: rng.chance(0.3), payload: bytes)
            depayloader.insert(packet)
            while let f = depayloader.pollFrame() { _ = try? vp8.decode(f.data) }
            dtmf.handle(packet)
            receiver.insert(packet, now: now)
            now += .milliseconds(7)
            while let frame = receiver.pollFrame(now: now) { #expect(frame.frameCount <= 5760, "seed \(rng.seed)") }
        }
        #expect(receiver.jitterBuffer.statistics.slots > 0, "seed \(rng.seed)")
    }
}
