import Testing
@testable import WireKit

@Suite struct CRCTests {
    @Test func crc32KnownVector() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 B.4: 32 bytes of zeros and of 0xFF.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 63, 383, 384, 385, 1200, 4096, 6143, 6144, 6145, 16_000, 65_537]) func hardwareMatchesSoftware(length: Int) {
        var rng = SeededRandom(seed: UInt64(length))
        let data = rng.bytes(length)
        #expect(CRC32C.checksum(data) == CRC32C.softwareChecksum(data))
    }

    @Test("the SCTP checksum (field at 8..<12 taken as zero) equals the CRC-32C of a zeroed copy",
          arguments: [12, 13, 20, 383, 1200, 6157, 16_000])
    func sctpChecksumSkipsTheField(length: Int) {
        var rng = SeededRandom(seed: UInt64(length) &+ 77)
        let data = rng.bytes(length)
        var zeroed = data
        zeroed[8] = 0; zeroed[9] = 0; zeroed[10] = 0; zeroed[11] = 0
        #expect(data.withUnsafeBytes { CRC32C.sctpChecksum($0) } == CRC32C.softwareChecksum(zeroed))
        #expect([UInt8](repeating: 1, count: 11).withUnsafeBytes { CRC32C.sctpChecksum($0) } == 0)
    }

    @Test func incrementalEqualsOneShot() {
        var rng = SeededRandom(seed: 9)
        let data = rng.bytes(1000)
        let state = CRC32C.update(CRC32C.update(0xFFFF_FFFF, data[0..<333]), data[333...])
        #expect(state ^ 0xFFFF_FFFF == CRC32C.checksum(data))
        let s32 = CRC32.update(CRC32.update(0xFFFF_FFFF, data[0..<10]), data[10...])
        #expect(s32 ^ 0xFFFF_FFFF == CRC32.checksum(data))
    }
}
