import Testing
import WireKit
import RTP
@testable import Media

@Suite struct VideoPipelineTests {
    @Test func testPatternThroughVP8AndRTPDecodesEveryFrameAtSize() throws {
        var source = TestPatternSource(width: 320, height: 240, limit: 30)
        let sender = try VP8TrackSender(ssrc: 0xBEEF, width: 320, height: 240, frameRate: 30, bitrateKbps: 800, sequenceNumber: 65530)
        var depayloader = VP8Depayloader()
        let decoder = try VP8Decoder()
        var writer = Y4MWriter(width: 320, height: 240)
        var index = 0, packets = 0, keyframes = 0
        var lastOriginal: VideoFrame?
        var lastDecoded: VideoFrame?
        while let frame = source.nextFrame() {
            let now = Instant.zero + .milliseconds(index * 33)
            let (out, key) = try sender.send(frame, index: index, now: now)
            if key { keyframes += 1 }
            for p in out {
                packets += 1
                #expect(p.payload.count <= 1200)
                depayloader.insert(try RTPPacket(parsing: p.serialized()))
            }
            while let encoded = depayloader.pollFrame() {
                if let decoded = try decoder.decode(encoded.data) {
                    #expect(decoded.width == 320 && decoded.height == 240)
                    writer.write(decoded)
                    lastDecoded = decoded
                }
            }
            lastOriginal = frame
            index += 1
        }
        #expect(writer.frames == 30)
        #expect(keyframes == 1)
        #expect(packets >= 30)
        // The decoded picture resembles the source (mean absolute luma error small).
        if let a = lastOriginal, let b = lastDecoded {
            var err = 0
            for i in 0..<a.y.count { err += abs(Int(a.y[i]) - Int(b.y[i])) }
            #expect(Double(err) / Double(a.y.count) < 10)
        }
        // The Y4M stream reads back frame for frame.
        var reader = try Y4MReader(bytes: writer.bytes)
        var readBack = 0
        while reader.nextFrame() != nil { readBack += 1 }
        #expect(readBack == 30 && reader.width == 320 && reader.height == 240)
    }

    @Test func lostPacketTriggersPLIAndKeyframeResumesDecoding() throws {
        var source = TestPatternSource(width: 320, height: 240, limit: 20)
        let sender = try VP8TrackSender(ssrc: 0xBEEF, width: 320, height: 240, bitrateKbps: 2000)
        var depayloader = VP8Depayloader()
        let decoder = try VP8Decoder()
        var decoded = 0, plis = 0, index = 0
        var keyframeIndices: [Int] = []
        while let frame = source.nextFrame() {
            let now = Instant.zero + .milliseconds(index * 33)
            let (out, key) = try sender.send(frame, index: index, now: now)
            if key { keyframeIndices.append(index) }
            for (k, p) in out.enumerated() where !(index == 8 && k == 0) { // lose the first packet of frame 8
                depayloader.insert(p)
            }
            while let f = depayloader.pollFrame() { if try decoder.decode(f.data) != nil { decoded += 1 } }
            if depayloader.needsKeyframe {
                plis += 1
                let rtcp = RTCPPacket.pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 0xBEEF)).serialized()
                #expect(sender.handle(rtcp: try RTCPPacket.parseCompound(rtcp), now: now).isEmpty)
            }
            index += 1
        }
        #expect(keyframeIndices.first == 0)
        #expect(keyframeIndices.count == 2, "keyframes at \(keyframeIndices)")
        #expect(sender.keyframesOnRequest == 1)
        #expect(plis >= 1)
        #expect(decoded >= 17 && decoded < 20, "decoded \(decoded)")
        #expect(depayloader.framesDropped >= 1)
    }

    @Test func nackIsAnsweredFromTheRetransmissionBuffer() throws {
        var source = TestPatternSource(width: 160, height: 120, limit: 1)
        let sender = try VP8TrackSender(ssrc: 7, width: 160, height: 120)
        guard let frame = source.nextFrame() else { Issue.record("no frame"); return }
        let (out, _) = try sender.send(frame, index: 0, now: .zero)
        let nack = RTCPPacket.nack(GenericNACK(senderSSRC: 1, mediaSSRC: 7, lost: [out[0].sequenceNumber]))
        let resent = sender.handle(rtcp: [nack], now: .zero + .milliseconds(50))
        #expect(resent == [out[0]])
    }

    @Test func hostileVP8PayloadsAreCounted() {
        var d = VP8Depayloader()
        d.insert(RTPPacket(payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1, marker: true, payload: [0x90]))
        d.insert(RTPPacket(payloadType: 96, sequenceNumber: 2, timestamp: 1, ssrc: 1, marker: true, payload: [0x90, 0x80, 0x80]))
        #expect(d.malformedPackets == 2)
        #expect(d.pollFrame() == nil)
        #expect(throws: VP8Error.self) { _ = try VP8Decoder().decode([1, 2, 3, 4, 5]) }
    }
}
