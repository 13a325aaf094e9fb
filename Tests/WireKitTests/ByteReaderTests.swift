import Testing
@testable import WireKit

@Suite struct ByteReaderTests {
    @Test func readsBigEndianFields() throws {
        var r = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F])
        #expect(try r.readUInt8() == 0x01)
        #expect(try r.readUInt16() == 0x0203)
        #expect(try r.readUInt32() == 0x0405_0607)
        #expect(try r.readUInt64() == 0x0809_0A0B_0C0D_0E0F)
        #expect(r.isAtEnd)
        #expect(throws: WireParseError.truncated(needed: 1, available: 0)) { try r.readUInt8() }
    }

    @Test func subReaderIsBounded() throws {
        var r = ByteReader([0, 3, 0xAA, 0xBB, 0xCC, 0xDD])
        let len = Int(try r.readUInt16())
        var sub = try r.readReader(count: len)
        #expect(try sub.readBytes(3) == [0xAA, 0xBB, 0xCC])
        #expect(throws: WireParseError.self) { try sub.readUInt8() }
        #expect(try r.readUInt8() == 0xDD)
    }

    @Test func negativeAndHugeCountsAreErrors() {
        var r = ByteReader([1, 2, 3])
        #expect(throws: WireParseError.self) { try r.readBytes(-1) }
        #expect(throws: WireParseError.self) { try r.readBytes(Int.max) }
        #expect(throws: WireParseError.self) { try r.skip(4) }
        #expect(r.remaining == 3)
    }

    @Test func invalidUTF8IsMalformed() {
        var r = ByteReader([0xFF, 0xFE])
        #expect(throws: WireParseError.self) { try r.readUTF8(2) }
    }

    /// Feeds random garbage through a TLV-style parse loop: it must only ever throw, never trap.
    @Test(arguments: [1, 2, 3, 42, 1234]) func garbageNeverTraps(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var errors = 0
        for _ in 0..<5_000 {
            let bytes = rng.bytes(Int(rng.next() % 64))
            var r = ByteReader(bytes)
            do {
                while !r.isAtEnd {
                    let type = try r.readUInt16()
                    let length = Int(try r.readUInt16())
                    var value = try r.readReader(count: length)
                    if type & 1 == 0 { _ = try value.readUInt32() } else { _ = try value.readUTF8(value.remaining) }
                }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }

    @Test func writerRoundTripAndPatch() throws {
        var w = ByteWriter()
        w.writeUInt16(0)
        w.writeUInt8(7)
        w.writeUInt24(0x0A0B0C)
        w.writeUInt32(0xDEADBEEF)
        w.writeUInt64(42)
        w.writeBytes([1, 2, 3])
        w.pad(to: 4)
        w.setUInt16(UInt16(w.count), at: 0)
        var r = ByteReader(w.bytes)
        #expect(try r.readUInt16() == UInt16(w.count))
        #expect(try r.readUInt8() == 7)
        #expect(try r.readUInt24() == 0x0A0B0C)
        #expect(try r.readUInt32() == 0xDEADBEEF)
        #expect(try r.readUInt64() == 42)
        #expect(try r.readBytes(3) == [1, 2, 3])
        #expect(w.count % 4 == 0)
    }
}
