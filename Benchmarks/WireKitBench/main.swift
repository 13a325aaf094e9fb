// Measures WireKit's hot-path primitives: CRC-32C (hardware and software) and CRC-32.
// Run: swift run -c release wirekit-bench
import WireKit

func measure(_ name: String, bytes: Int, iterations: Int, _ body: () -> UInt32) {
    var sink: UInt32 = 0
    let start = Instant.monotonicNow()
    for _ in 0..<iterations { sink ^= body() }
    let elapsed = (Instant.monotonicNow() - start).seconds
    let gbps = Double(bytes * iterations) / elapsed / 1e9
    print("\(name): \(String(format2(gbps))) GB/s (\(iterations) x \(bytes) bytes, checksum \(sink))")
}

func format2(_ v: Double) -> String {
    let scaled = (v * 100).rounded() / 100
    return "\(scaled)"
}

var rng = SeededRandom(seed: 1)
let packet = rng.bytes(1200)
let block = rng.bytes(1 << 20)
print("CRC-32C hardware instruction: \(CRC32C.hardware ? "yes (SSE4.2)" : "no")")
measure("crc32c 1200-byte packets", bytes: packet.count, iterations: 400_000) { CRC32C.checksum(packet) }
measure("crc32c 1 MiB blocks", bytes: block.count, iterations: 1_000) { CRC32C.checksum(block) }
measure("crc32c software 1 MiB", bytes: block.count, iterations: 200) { CRC32C.softwareChecksum(block) }
measure("crc32 (STUN) 1200-byte packets", bytes: packet.count, iterations: 200_000) { CRC32.checksum(packet) }
