import Testing
import WireKit
import RTP
@testable import SRTP

@Suite struct SRTPContextTests {
    static func pair(_ profile: SRTPProfile, seed: UInt64) throws -> (SRTPContext, SRTPContext) {
        var rng = SeededRandom(seed: seed)
        let material = rng.bytes(profile.keyingMaterialLength)
        let client = try SRTPContext(keys: SRTPKeys(profile: profile, keyingMaterial: material, role: .client))
        let server = try SRTPContext(keys: SRTPKeys(profile: profile, keyingMaterial: material, role: .server))
        return (client, server)
    }

    @Test(arguments: SRTPProfile.allCases)
    func roundTripsBothDirections(profile: SRTPProfile) throws {
        let (client, server) = try Self.pair(profile, seed: 1)
        for seq in UInt16(0)..<50 {
            let rtp = RTPPacket(payloadType: 111, sequenceNumber: seq, timestamp: UInt32(seq) * 960, ssrc: 0xCAFE,
                                payload: Array(repeating: UInt8(truncatingIfNeeded: seq), count: 100)).serialized()
            let protected = try client.protectRTP(rtp)
            #expect(protected.count > rtp.count)
            #expect(protected[12...] != rtp[12...]) // payload encrypted
            #expect(try server.unprotectRTP(protected) == rtp)
            let back = try server.protectRTP(rtp)
            #expect(try client.unprotectRTP(back) == rtp)
        }
        let rtcp = RTCPPacket.serializeCompound([.receiverReport(ReceiverReport(ssrc: 5)),
                                                 .sourceDescription(SourceDescription(chunks: [.init(ssrc: 5, items: [.cname("x")])]))])
        let srtcp = try client.protectRTCP(rtcp)
        #expect(try server.unprotectRTCP(srtcp) == rtcp)
        #expect(throws: SRTPError.replayed) { try server.unprotectRTCP(srtcp) }
    }

    @Test(arguments: SRTPProfile.allCases)
    func detectsTamperingReplayAndWrongKeys(profile: SRTPProfile) throws {
        let (client, server) = try Self.pair(profile, seed: 2)
        let rtp = RTPPacket(payloadType: 96, sequenceNumber: 7, timestamp: 1, ssrc: 9, payload: Array(repeating: 1, count: 40)).serialized()
        let protected = try client.protectRTP(rtp)
        for index in [1, 13, protected.count - 1] { // header, payload, tag
            var tampered = protected
            tampered[index] ^= 0x01
            #expect(throws: SRTPError.authenticationFailed) { try server.unprotectRTP(tampered) }
        }
        #expect(try server.unprotectRTP(protected) == rtp)
        #expect(throws: SRTPError.replayed) { try server.unprotectRTP(protected) }
        // The sender may protect the same packet again (a NACK retransmission) — but the receiver already has it.
        _ = try client.protectRTP(rtp)
        // A context with other keys cannot read it.
        let (_, stranger) = try Self.pair(profile, seed: 3)
        #expect(throws: SRTPError.authenticationFailed) { try stranger.unprotectRTP(try client.protectRTP(
            RTPPacket(payloadType: 96, sequenceNumber: 8, timestamp: 1, ssrc: 9, payload: [1]).serialized())) }
        #expect(throws: SRTPError.tooShort(3)) { try server.unprotectRTP([0x80, 0, 0]) }
        // Random garbage never traps.
        var rng = SeededRandom(seed: 4)
        for _ in 0..<500 { _ = try? server.unprotectRTP([0x80] + rng.bytes(Int(rng.next() % 100))) }
    }

    @Test func rejectsWrongKeyingMaterialLength() {
        #expect(throws: SRTPError.badKeyingMaterial(expected: 60, got: 59)) {
            try SRTPKeys(profile: .aes128CMHMACSHA1_80, keyingMaterial: Array(repeating: 0, count: 59), role: .client)
        }
        #expect(SRTPProfile.aeadAES128GCM.keyingMaterialLength == 56)
    }
}
