import Foundation
import SyncProtocol
import WireKit

/// Chunk compression and decompression of compressible (text-like) chunks of `size` bytes:
/// chunks per CPU-second each way, with the ratio reached. The per-call cost that matters for
/// small files (context setup) shows at small sizes.
func compressionBench(size: Int, count: Int) {
    var rng = SeededRandom(seed: 42)
    let chunks = (0..<16).map { _ in rng.bytes(size).map { 0x41 + ($0 & 0x1f) } }
    var packed: [[UInt8]] = []
    var start = processCPUSeconds()
    var out = 0
    for i in 0..<count {
        guard let p = ChunkCompression.compressIfWorthwhile(chunks[i % chunks.count]) else { continue }
        out += p.count
        if i < chunks.count { packed.append(p) }
    }
    let compressSeconds = processCPUSeconds() - start
    start = processCPUSeconds()
    var restored = 0
    for i in 0..<count {
        restored += (try? ChunkCompression.decompress(packed[i % packed.count], announcedSize: size).count) ?? 0
    }
    let decompressSeconds = processCPUSeconds() - start
    print("ChunkCompression \(count) chunks of \(size) B (text-like): compress \(Int(Double(count) / compressSeconds)) chunks/CPU-s "
          + "(\(String(format: "%.2f", compressSeconds * 1e6 / Double(count))) us each, ratio \(String(format: "%.2f", Double(out) / Double(count * size)))), "
          + "decompress \(Int(Double(count) / decompressSeconds)) chunks/CPU-s (\(String(format: "%.2f", decompressSeconds * 1e6 / Double(count))) us each)"
          + (restored == count * size ? "" : " RESTORED WRONG"))
}
