import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

/// The SHA-NI digests (one message and two interleaved) against OpenSSL's.
@Suite struct SHA256HardwareTests {
    @Test func oneShotMatchesOpenSSLAtEveryPaddingLength() {
        var rng = SeededRandom(seed: 21)
        let data = rng.bytes(70_000)
        data.withUnsafeBytes { b in
            // Every length around the one- and two-block padding cases, plus long ones.
            for length in Array(0...200) + [1000, 4095, 4096, 4097, 65_536, 69_999] {
                let piece = UnsafeRawBufferPointer(rebasing: b[1..<(1 + length)])
                #expect(SHA256Hasher.hash(piece) == SHA256Hasher.opensslHash(piece), "seed 21, length \(length)")
            }
        }
        #expect(SHA256Hasher.hash([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func twoAtOnceMatchesOpenSSLForUnequalLengths() {
        var rng = SeededRandom(seed: 22)
        let data = rng.bytes(300_000)
        data.withUnsafeBytes { b in
            for (la, lb) in [(0, 0), (0, 64), (55, 56), (64, 63), (119, 120), (4096, 1), (65_536, 100_003), (131_072, 131_072), (7, 150_000)] {
                let a = UnsafeRawBufferPointer(rebasing: b[3..<(3 + la)])
                let c = UnsafeRawBufferPointer(rebasing: b[(150_000 - lb / 2)..<(150_000 - lb / 2 + lb)])
                let (ha, hc) = SHA256Hasher.hash(a, c)
                #expect(ha == SHA256Hasher.opensslHash(a), "seed 22, lengths \(la) \(lb)")
                #expect(hc == SHA256Hasher.opensslHash(c), "seed 22, lengths \(la) \(lb)")
            }
        }
    }
}
