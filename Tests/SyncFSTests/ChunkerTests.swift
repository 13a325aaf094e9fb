import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

@Suite struct ChunkerTests {
    @Test func sha256KnownVector() {
        #expect(SHA256Hasher.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let h = SHA256Hasher()
        h.update(Array("a".utf8)); h.update(Array("bc".utf8))
        #expect(h.finish() == SHA256Hasher.hash(Array("abc".utf8)))
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func laneSearchCutsExactlyWhereTheOneByteDefinitionDoes(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        // Small parameters give many cuts (odd and even offsets, both masks, the max-size cut).
        // Middle-sized ones put the normal-size boundary inside the lanes.
        let small = Chunker(minSize: 64, averageSize: 256, maxSize: 1024)
        let middle = Chunker(minSize: 2048, averageSize: 8192, maxSize: 40_000)
        let data = rng.bytes(1 << 20)
        data.withUnsafeBytes { b in
            var pos = 0, cuts = 0, odd = 0
            for chunker in [small, middle, Chunker.standard] {
                pos = 0
                while pos < b.count {
                    let rest = UnsafeRawBufferPointer(rebasing: b[pos...])
                    let cut = chunker.cutPoint(rest)
                    #expect(cut == chunker.referenceCutPoint(rest), "seed \(seed) at \(pos)")
                    if cut != chunker.referenceCutPoint(rest) { return }
                    odd += cut & 1
                    pos += cut; cuts += 1
                }
            }
            #expect(cuts > 1000 && odd > 100, "seed \(seed): \(cuts) cuts, \(odd) at odd lengths")
        }
    }

    @Test func cutPointsOnDegenerateContent() {
        // Constant bytes: every position has the same window hash (all pass or none pass the masks).
        for chunker in [Chunker(minSize: 64, averageSize: 256, maxSize: 1024), Chunker.standard] {
            for byte: UInt8 in [0, 1, 0xFF] {
                let data = [UInt8](repeating: byte, count: 600_000)
                data.withUnsafeBytes { b in
                    var pos = 0
                    while pos < b.count {
                        let rest = UnsafeRawBufferPointer(rebasing: b[pos...])
                        let cut = chunker.cutPoint(rest)
                        #expect(cut == chunker.referenceCutPoint(rest), "byte \(byte) at \(pos)")
                        if cut != chunker.referenceCutPoint(rest) { return }
                        pos += cut
                    }
                }
            }
        }
    }

    @Test func chunkSizesStayWithinBounds() {
        var rng = SeededRandom(seed: 1)
        let data = rng.bytes(4 << 20)
        let chunks = Chunker.standard.chunks(of: data)
        #expect(chunks.reduce(0) { $0 + Int($1.size) } == data.count)
        for c in chunks.dropLast() { #expect(c.size >= 16 << 10 && c.size <= 256 << 10) }
        let average = data.count / chunks.count
        #expect(average > 40 << 10 && average < 110 << 10, "average \(average)")
    }

    @Test func insertingOneKiBInTheMiddleChangesAtMostTwoChunks() {
        var rng = SeededRandom(seed: 2)
        let original = rng.bytes(8 << 20)
        var edited = original
        edited.insert(contentsOf: rng.bytes(1024), at: original.count / 2)
        let a = Chunker.standard.chunks(of: original), b = Chunker.standard.chunks(of: edited)
        let old = Set(a.map(\.hash))
        let changed = b.filter { !old.contains($0.hash) }
        #expect(changed.count <= 2, "seed 2: \(changed.count) chunks changed")
        #expect(changed.count >= 1)
    }

    @Test func streamingMatchesInMemoryAcrossReadSizes() throws {
        var rng = SeededRandom(seed: 3)
        let data = rng.bytes(1 << 20 + 12_345)
        let fs = InMemoryFileSystem()
        try fs.writeAll("big", data)
        let expected = Chunker.standard.chunks(of: data)
        for readSize in [256 << 10, 300_001] {
            let chunker = Chunker(minSize: 16 << 10, averageSize: 64 << 10, maxSize: 256 << 10, readSize: readSize)
            let f = try fs.openRead("big")
            var seenBytes = 0
            let got = try chunker.chunks(of: f) { info, offset, bytes in
                #expect(offset == UInt64(seenBytes))
                #expect(SHA256Hasher.hash(bytes) == info.hash)
                seenBytes += bytes.count
            }
            #expect(got == expected)
            #expect(seenBytes == data.count)
        }
        #expect(try Chunker.standard.chunks(of: fs.openRead("big")).count == expected.count)
        // A wrong (too small) size hint only costs a buffer growth, never a different result.
        #expect(try Chunker.standard.chunks(of: fs.openRead("big"), sizeHint: 10) == expected)
    }

    /// Each hashing thread of a scan holds one read buffer: with the standard chunker it is at
    /// most `readSize + maxSize` = 1.25 MiB, also when the file is larger than its size hint.
    @Test func readBufferIsBoundedByReadSizePlusMaxSize() throws {
        let chunker = Chunker.standard
        #expect(chunker.readSize == 1 << 20)
        let bound = chunker.readSize + chunker.maxSize
        var rng = SeededRandom(seed: 9)
        let data = rng.bytes(3 << 20 + 777)
        let fs = InMemoryFileSystem()
        try fs.writeAll("big", data)
        let expected = chunker.chunks(of: data)
        // Hints below the file size grow the buffer; the growth stops at the bound, not at double.
        for hint in [UInt64(10), UInt64(bound - 4096), UInt64(data.count)] {
            var buffer: [UInt8] = []
            let f = try fs.openRead("big")
            #expect(try chunker.chunks(of: f, sizeHint: hint, buffer: &buffer) == expected)
            f.close()
            #expect(buffer.count == bound)
            #expect(buffer.capacity <= bound + 4096, "hint \(hint): capacity \(buffer.capacity)")
        }
    }

    @Test func emptyAndTinyFiles() throws {
        #expect(Chunker.standard.chunks(of: []).isEmpty)
        #expect(Chunker.standard.chunks(of: [1, 2, 3]).count == 1)
        #expect(SHA256Hasher.contentHash(of: []) == SHA256Hasher.hash([]))
    }
}
