import Testing
import WireKit
@testable import RTP

@Suite struct StatisticsTests {
    @Test func lossJitterAndWrapAround() {
        var stats = ReceiverStatistics(ssrc: 42, clockRate: 48000)
        var now = Instant(nanoseconds: 1_000_000_000)
        var seq: UInt16 = 65500
        var ts: UInt32 = 1000
        var sent = 0
        for i in 0..<100 {
            defer { seq &+= 1; ts &+= 960; now += .milliseconds(20) }
            sent += 1
            if i % 10 == 3 { continue } // 10% loss
            // Alternate ±2 ms of arrival jitter.
            let arrival = now + .milliseconds(i % 2 == 0 ? 2 : 0)
            stats.record(sequenceNumber: seq, rtpTimestamp: ts, payloadBytes: 100, arrival: arrival)
        }
        #expect(stats.packetsReceived == 90)
        #expect(stats.packetsLost == 10)
        #expect(stats.extendedHighestSequence == 65536 + 63)
        let block = stats.makeReportBlock(now: now)
        #expect(block.cumulativeLost == 10)
        #expect(block.fractionLost == UInt8(10 * 256 / 100))
        // Jitter converges towards 2 ms = 96 units.
        #expect(block.jitter > 60 && block.jitter <= 96)
        // No new packets: the next interval reports zero fraction lost.
        #expect(stats.makeReportBlock(now: now).fractionLost == 0)
    }

    @Test func roundTripTimeFromLSRAndDLSR() throws {
        var sender = SenderStatistics(ssrc: 1, clockRate: 48000, epochSeconds: 3_900_000_000)
        var receiver = ReceiverStatistics(ssrc: 1, clockRate: 48000)
        let t0 = Instant(nanoseconds: 5_000_000_000)
        let packet = RTPPacket(payloadType: 111, sequenceNumber: 1, timestamp: 960, ssrc: 1, payload: [0])
        sender.record(packet, now: t0)
        let sr = sender.makeSenderReport(now: t0 + .milliseconds(20))
        #expect(sr.rtpTimestamp == 960 + 960)
        // One-way 30 ms; receiver holds the SR 200 ms before its RR; 30 ms back.
        let wire = try RTCPPacket.parseCompound(RTCPPacket.senderReport(sr).serialized())
        guard case .senderReport(let received) = wire.first else { Issue.record("no SR"); return }
        receiver.recordSenderReport(received, arrival: t0 + .milliseconds(50))
        receiver.record(sequenceNumber: 1, rtpTimestamp: 960, payloadBytes: 1, arrival: t0 + .milliseconds(30))
        let block = receiver.makeReportBlock(now: t0 + .milliseconds(250))
        sender.handle(reportBlock: block, now: t0 + .milliseconds(280))
        let rtt = try #require(sender.roundTripTime)
        #expect(abs(rtt.seconds - 0.060) < 0.001)
    }

    @Test func nackGeneratorAsksRetriesAndForgets() {
        var gen = NACKGenerator(senderSSRC: 1, mediaSSRC: 2, maxAge: 100, maxRetries: 2,
                                retryInterval: .milliseconds(50), reorderDelay: .milliseconds(5))
        var now = Instant.zero
        gen.handle(sequenceNumber: 65534, now: now)
        gen.handle(sequenceNumber: 2, now: now) // 65535, 0, 1 missing across the wrap
        #expect(gen.missing == [65535, 0, 1])
        #expect(gen.pollNACK(now: now) == nil)
        #expect(gen.pollTimeout() == now + .milliseconds(5))
        now += .milliseconds(5)
        #expect(gen.pollNACK(now: now)?.lostSequenceNumbers == [65535, 0, 1])
        gen.handle(sequenceNumber: 0, now: now) // recovered
        now += .milliseconds(50)
        #expect(gen.pollNACK(now: now)?.lostSequenceNumbers == [65535, 1])
        now += .milliseconds(50)
        #expect(gen.pollNACK(now: now) == nil) // retries exhausted
        #expect(gen.abandoned == 2)
        #expect(gen.pollTimeout() == nil)
    }

    @Test func retransmissionBufferAnswersNACK() {
        var buffer = RetransmissionBuffer(capacity: 8, maxAge: .seconds(1))
        for s in UInt16(0)..<20 {
            buffer.insert(RTPPacket(payloadType: 96, sequenceNumber: s, timestamp: 0, ssrc: 7, payload: [UInt8(s)]), now: .zero)
        }
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 7, lost: [3, 15, 19])
        #expect(buffer.handle(nack: nack, now: .zero).map(\.sequenceNumber) == [15, 19]) // 3 was overwritten
        #expect(buffer.handle(nack: nack, now: Instant.zero + .seconds(2)).isEmpty) // too old
        #expect(buffer.retransmitted == 2)
    }
}
