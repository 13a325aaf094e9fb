import Testing
import WireKit
@testable import RTP

@Suite struct RTCPPacketTests {
    static let block = ReportBlock(ssrc: 9, fractionLost: 12, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005,
                                   jitter: 77, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)

    @Test func roundTripsCompound() throws {
        let packets: [RTCPPacket] = [
            .senderReport(SenderReport(ssrc: 1, ntpTimestamp: 0x0102_0304_0506_0708, rtpTimestamp: 5, packetCount: 6,
                                       octetCount: 7, reports: [Self.block])),
            .sourceDescription(SourceDescription(chunks: [.init(ssrc: 1, items: [.cname("abc")]),
                                                          .init(ssrc: 2, items: [.cname("peer-sync"), .init(type: 2, value: [65])])])),
            .receiverReport(ReceiverReport(ssrc: 3, reports: [Self.block, Self.block])),
            .nack(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lost: [10, 11, 26, 27, 100, 65535, 0])),
            .pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2)),
            .goodbye(Goodbye(ssrcs: [1, 2], reason: "done")),
            .other(packetType: 207, count: 0, body: [1, 2, 3, 4]),
        ]
        let bytes = RTCPPacket.serializeCompound(packets)
        #expect(bytes.count % 4 == 0)
        let parsed = try RTCPPacket.parseCompound(bytes)
        #expect(parsed == packets)
        if case .sourceDescription(let sd) = parsed[1] { #expect(sd.chunks[1].cname == "peer-sync") }
        #expect(RTCPPacket.isRTCP(bytes))
    }

    @Test func nackPacksBitmaskAndExpands() throws {
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lost: [100, 101, 116, 117])
        #expect(nack.pairs.count == 2)
        #expect(nack.pairs[0].pid == 100 && nack.pairs[0].blp == 0x8001)
        let parsed = try RTCPPacket.parseCompound(RTCPPacket.nack(nack).serialized())
        #expect(parsed == [.nack(nack)])
    }

    @Test func acceptsReducedSizeAndSkipsAPP() throws {
        // A lone PLI (RFC 5506 reduced size), then an APP packet that is skipped.
        let pli = RTCPPacket.pli(PictureLossIndication(senderSSRC: 5, mediaSSRC: 6)).serialized()
        let app: [UInt8] = [0x80, 204, 0, 2, 0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44]
        #expect(try RTCPPacket.parseCompound(pli + app) == [.pli(PictureLossIndication(senderSSRC: 5, mediaSSRC: 6))])
    }

    @Test func honoursPaddingOnLastPacket() throws {
        // RR with no blocks, P bit, 4 padding bytes.
        let bytes: [UInt8] = [0xA0, 201, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4]
        #expect(try RTCPPacket.parseCompound(bytes) == [.receiverReport(ReceiverReport(ssrc: 7))])
    }

    @Test func rejectsHostileCompound() {
        #expect(throws: RTPParseError.self) { try RTCPPacket.parseCompound([]) }
        // Length beyond the datagram.
        #expect(throws: RTPParseError.self) { try RTCPPacket.parseCompound([0x80, 200, 0xFF, 0xFF, 0, 0, 0, 0]) }
        // SR claiming 31 report blocks with none present.
        #expect(throws: RTPParseError.self) { try RTCPPacket.parseCompound([0x9F, 200, 0, 6] + Array(repeating: 0, count: 24)) }
        // Padding on a packet that is not last.
        let rr: [UInt8] = [0xA0, 201, 0, 1, 0, 0, 0, 1]
        #expect(throws: RTPParseError.self) { try RTCPPacket.parseCompound(rr + [0x80, 201, 0, 1, 0, 0, 0, 1]) }
        // Wrong version.
        #expect(throws: RTPParseError.badVersion(1)) { try RTCPPacket.parseCompound([0x40, 201, 0, 1, 0, 0, 0, 1]) }
        // SDES item longer than the body.
        #expect(throws: RTPParseError.self) { try RTCPPacket.parseCompound([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 200, 0x41, 0]) }
    }
}
