import MediaTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
import WireKit
import RTP
import SRTP
import NetSim
@testable import Media

@Suite struct AudioPipelineTests {
    static func srtpPair(seed: UInt64) throws -> (SRTPContext, SRTPContext) {
        var rng = SeededRandom(seed: seed)
        let material = rng.bytes(SRTPProfile.aeadAES128GCM.keyingMaterialLength)
        return (try SRTPContext(keys: SRTPKeys(profile: .aeadAES128GCM, keyingMaterial: material, role: .client)),
                try SRTPContext(keys: SRTPKeys(profile: .aeadAES128GCM, keyingMaterial: material, role: .server)))
    }

    @Test func toneThroughOpusSRTPAndJitterBufferKeepsItsPitch() throws {
        let (tx, rx) = try Self.srtpPair(seed: 10)
        var tone = ToneGenerator(frequency: 440, amplitude: 0.5)
        let encoder = try OpusEncoder()
        var payloader = OpusPayloader(ssrc: 0x1111, sequenceNumber: 65500, timestamp: 0xFFFF_0000)
        let receiver = try OpusReceiver()
        var sink = MemoryAudioSink()
        var inFlight: [(Instant, [UInt8])] = []
        var now = Instant.zero
        let end = Instant.zero + .seconds(2)
        var nextFrame = Instant.zero
        while now < end {
            if now >= nextFrame, let frame = tone.read(frameCount: 960) {
                if let packet = payloader.packetize(try encoder.encode(frame)) {
                    inFlight.append((now + .milliseconds(15), try tx.protectRTP(packet.serialized())))
                }
                nextFrame += .milliseconds(20)
            }
            while let first = inFlight.first, first.0 <= now {
                inFlight.removeFirst()
                receiver.insert(try RTPPacket(parsing: try rx.unprotectRTP(first.1)), now: now)
            }
            while let frame = receiver.pollFrame(now: now) { sink.write(frame) }
            now += .milliseconds(1)
        }
        let stats = receiver.jitterBuffer.statistics
        #expect(stats.played >= 95 && stats.concealed + stats.recovered <= 1, "\(stats)")
        let tail = sink.samples.dropFirst(9600) // skip the decoder's first 200 ms
        let peak = peakFrequency(tail)
        #expect(abs(peak - 440) <= 5, "peak at \(peak) Hz")
    }

    @Test func fivePercentLossOverNetSimKeepsAudioPlaying() throws {
        let seed: UInt64 = 0xA0D10
        let net = SimNetwork(seed: seed)
        let (tx, rx) = try Self.srtpPair(seed: seed)
        var tone = ToneGenerator(frequency: 440, amplitude: 0.5)
        let encoder = try OpusEncoder(expectedLossPercent: 5)
        var payloader = OpusPayloader(ssrc: 0x2222, sequenceNumber: 1, timestamp: 0)
        let receiver = try OpusReceiver()
        var sink = MemoryAudioSink()
        var loudFrames = 0, frames = 0
        let a = TransportAddress(ip: .v4(0xC000_0201), port: 5000), b = TransportAddress(ip: .v4(0xC000_0202), port: 5000)
        let duration = Duration.seconds(10)
        let sender = ClosureEndpoint(recordsReceived: false)
        sender.onTimeout = { ep, now in
            guard now < Instant.zero + duration, let frame = tone.read(frameCount: 960) else { return }
            if let opus = try? encoder.encode(frame), let packet = payloader.packetize(opus),
               let wire = try? tx.protectRTP(packet.serialized()) {
                ep.send(wire, from: a, to: b)
            }
            ep.timer = now + .milliseconds(20)
        }
        sender.timer = .zero
        let listener = ClosureEndpoint(recordsReceived: false)
        listener.onDatagram = { ep, d in
            guard let plain = try? rx.unprotectRTP(d.payload), let p = try? RTPPacket(parsing: plain) else { return }
            receiver.insert(p, now: d.time)
            ep.timer = receiver.pollTimeout()
        }
        listener.onTimeout = { ep, now in
            while let frame = receiver.pollFrame(now: now) {
                frames += 1
                if frames <= 495 && frame.rms > 0.1 { loudFrames += 1 } // the tone stops after 10 s
                sink.write(frame)
            }
            ep.timer = receiver.pollTimeout()
        }
        net.addHost(sender, addresses: [a.ip], uplink: LinkConditions(delay: .milliseconds(30), jitter: .milliseconds(5), loss: 0.05))
        net.addHost(listener, addresses: [b.ip])
        try net.run(for: duration + .milliseconds(500))
        let stats = receiver.jitterBuffer.statistics
        print("media: 5% loss, seed \(seed): \(frames) frames out, concealed share \(stats.concealedShare) " +
              "(FEC-recovered \(stats.recovered), PLC \(stats.concealed), late \(stats.late)), target delay \(stats.targetDelay)")
        #expect(frames >= 495, "audio stopped: \(frames) frames, seed \(seed)")
        #expect(loudFrames >= 470, "too many quiet frames while the tone played: \(loudFrames)/495, seed \(seed)")
        #expect(stats.concealedShare > 0.01 && stats.concealedShare < 0.12, "\(stats), seed \(seed)")
        #expect(stats.recovered > 0, "FEC never used, seed \(seed)")
        let peak = peakFrequency(sink.samples.dropFirst(48000).prefix(96000))
        #expect(abs(peak - 440) <= 5, "peak at \(peak) Hz, seed \(seed)")
    }

    @Test func jitterBufferReordersGrowsOnLatePacketsAndCountsDuplicates() {
        var jb = JitterBuffer(minDelay: .milliseconds(40), maxDelay: .milliseconds(80))
        func packet(_ i: Int) -> RTPPacket {
            RTPPacket(payloadType: 111, sequenceNumber: UInt16(i), timestamp: UInt32(i * 960), ssrc: 1, payload: [UInt8(i), 1, 2])
        }
        let t0 = Instant.zero
        jb.insert(packet(0), now: t0)
        jb.insert(packet(2), now: t0 + .milliseconds(20)) // 1 is reordered
        jb.insert(packet(1), now: t0 + .milliseconds(25))
        jb.insert(packet(1), now: t0 + .milliseconds(26))
        #expect(jb.statistics.duplicates == 1)
        #expect(jb.pollTimeout() == t0 + .milliseconds(40))
        #expect(jb.pollFrame(now: t0 + .milliseconds(39)) == nil)
        #expect(jb.pollFrame(now: t0 + .milliseconds(40)) == .packet(packet(0)))
        #expect(jb.pollFrame(now: t0 + .milliseconds(60)) == .packet(packet(1)))
        #expect(jb.pollFrame(now: t0 + .milliseconds(80)) == .packet(packet(2)))
        // 3 lost, 4 present: recover from 4's FEC; then 5 missing with nothing after it: conceal.
        jb.insert(packet(4), now: t0 + .milliseconds(90))
        #expect(jb.pollFrame(now: t0 + .milliseconds(100)) == .recoverFromNext(packet(4)))
        #expect(jb.pollFrame(now: t0 + .milliseconds(120)) == .packet(packet(4)))
        #expect(jb.pollFrame(now: t0 + .milliseconds(140)) == .conceal)
        // 5 arrives late: the target grows by one frame and one slot is inserted.
        jb.insert(packet(5), now: t0 + .milliseconds(150))
        #expect(jb.statistics.late == 1 && jb.statistics.targetDelay == .milliseconds(60))
        jb.insert(packet(6), now: t0 + .milliseconds(155))
        #expect(jb.pollFrame(now: t0 + .milliseconds(160)) == .conceal)
        #expect(jb.pollFrame(now: t0 + .milliseconds(180)) == .packet(packet(6)))
        #expect(jb.statistics.concealedShare > 0)
    }

    @Test func wavFilesRoundTrip() throws {
        var tone = ToneGenerator(frequency: 1000, amplitude: 0.25, limit: 4800)
        var sink = WAVFileSink()
        while let f = tone.read(frameCount: 960) { sink.write(f) }
        let path = "/tmp/peersync-media-test-\(getpid()).wav"
        defer { unlink(path) }
        try sink.finish(path: path)
        let back = try WAVFile.read(path: path)
        #expect(back == sink.file && back.samples.count == 4800)
        var source = WAVFileSource(file: back)
        var total = 0
        while let f = source.read(frameCount: 960) { total += f.frameCount }
        #expect(total == 4800)
        #expect(throws: WAVError.self) { try WAVFile(parsing: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8) + [0xFF, 0xFF, 0xFF, 0x7F]) }
        #expect(throws: WAVError.self) { try WAVFile(parsing: [1, 2, 3]) }
        var null = NullAudioSink()
        null.write(.silence(frameCount: 960))
        #expect(null.sampleCount == 960)
    }
}
