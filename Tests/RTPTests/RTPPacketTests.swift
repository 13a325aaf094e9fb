import Testing
import WireKit
@testable import RTP

@Suite struct RTPPacketTests {
    @Test func roundTripsHeaderCSRCsOneByteExtensionAndPadding() throws {
        let p = RTPPacket(payloadType: 111, sequenceNumber: 65535, timestamp: 0xDEAD_BEEF, ssrc: 0x1234_5678,
                          marker: true, csrcs: [1, 2, 3],
                          headerExtension: .oneByte([.init(id: 1, value: Array("0".utf8)), .init(id: 3, value: [1, 2, 3])]),
                          payload: [9, 8, 7, 6, 5], paddingLength: 3)
        let bytes = p.serialized()
        #expect(bytes[0] == 0x80 | 0x20 | 0x10 | 3)
        #expect(bytes.count % 4 == 0)
        let q = try RTPPacket(parsing: bytes)
        #expect(q == p)
        #expect(q.headerExtension?.value(id: 3) == [1, 2, 3])
        #expect(RTPPacket.peekSSRC(bytes) == 0x1234_5678)
    }

    @Test func roundTripsTwoByteExtension() throws {
        let ext = RTPHeaderExtension.best(for: [.init(id: 20, value: Array(repeating: 7, count: 40)), .init(id: 2, value: [])])
        guard case .twoByte = ext else { Issue.record("expected two-byte form"); return }
        let p = RTPPacket(payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, headerExtension: ext, payload: [1])
        #expect(try RTPPacket(parsing: p.serialized()) == p)
    }

    @Test func parsesKnownBytes() throws {
        // V=2, M=1, PT=0, seq=0x1234, ts=0x11223344, ssrc=0xAABBCCDD, payload "hi".
        let bytes: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0x11, 0x22, 0x33, 0x44, 0xAA, 0xBB, 0xCC, 0xDD, 0x68, 0x69]
        let p = try RTPPacket(parsing: bytes)
        #expect(p.marker && p.payloadType == 0 && p.sequenceNumber == 0x1234)
        #expect(p.timestamp == 0x1122_3344 && p.ssrc == 0xAABB_CCDD && p.payload == [0x68, 0x69])
    }

    @Test func rejectsHostileInput() {
        #expect(throws: RTPParseError.badVersion(1)) { try RTPPacket(parsing: [0x40] + Array(repeating: 0, count: 11)) }
        #expect(throws: RTPParseError.self) { try RTPPacket(parsing: [0x80, 0, 0]) }
        // CSRC count 15 but no CSRCs.
        #expect(throws: RTPParseError.self) { try RTPPacket(parsing: [0x8F] + Array(repeating: 0, count: 11)) }
        // Extension claims 0xFFFF words.
        #expect(throws: RTPParseError.self) {
            try RTPPacket(parsing: [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF])
        }
        // One-byte element longer than its block.
        #expect(throws: RTPParseError.badHeaderExtension("one-byte element overruns block")) {
            try RTPPacket(parsing: [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x1F, 0, 0, 0])
        }
        // Padding count larger than the packet, and zero.
        #expect(throws: RTPParseError.badPadding(count: 200)) { try RTPPacket(parsing: [0xA0] + Array(repeating: 0, count: 11) + [1, 200]) }
        #expect(throws: RTPParseError.badPadding(count: 0)) { try RTPPacket(parsing: [0xA0] + Array(repeating: 0, count: 11) + [0]) }
    }

    /// Fuzzer find (contrib/fuzz/out/crash-7fc9578b…): a one-byte element with ID 0 and a nonzero length
    /// was kept and then trapped on re-serialisation. ID 0 is padding.
    @Test func oneByteElementWithIDZeroIsPadding() throws {
        let bytes: [UInt8] = [0xB2, 0xE0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x0A,
                              0xBE, 0xDE, 0, 1, 0x02, 0, 0, 0, 0, 0, 0, 0, 3]
        let p = try RTPPacket(parsing: bytes)
        #expect(p.headerExtension == .oneByte([]))
        #expect(try RTPPacket(parsing: p.serialized()) == p)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: 0x5EED_0001)
        var parsed = 0
        for _ in 0..<20_000 {
            var bytes = rng.bytes(Int(rng.next() % 64))
            if !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            if (try? RTPPacket(parsing: bytes)) != nil { parsed += 1 }
            _ = try? RTCPPacket.parseCompound(bytes)
        }
        #expect(parsed > 0, "seed \(rng.seed)")
    }

    @Test func routerBindsSSRCByMIDExtension() {
        var router = RTPStreamRouter(midExtensionID: 4)
        router.add(mid: "0", payloadTypes: [111])
        router.add(mid: "1", payloadTypes: [96])
        let tagged = RTPPacket(payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 77,
                               headerExtension: .oneByte([.init(id: 4, value: Array("1".utf8))]), payload: [])
        #expect(router.route(tagged) == "1")
        #expect(router.route(RTPPacket(payloadType: 111, sequenceNumber: 2, timestamp: 0, ssrc: 77, payload: [])) == "1")
        #expect(router.route(RTPPacket(payloadType: 111, sequenceNumber: 2, timestamp: 0, ssrc: 99, payload: [])) == "0")
        #expect(router.route(RTPPacket(payloadType: 5, sequenceNumber: 2, timestamp: 0, ssrc: 98, payload: [])) == nil)
    }
}
