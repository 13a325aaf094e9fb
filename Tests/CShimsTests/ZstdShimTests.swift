import CZstd
import Testing

@Suite struct ZstdShimTests {
    @Test func roundTripWithDecompressionCap() throws {
        let input = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        var compressed = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let csize = ZSTD_compress(&compressed, compressed.count, input, input.count, 1)
        #expect(ZSTD_isError(csize) == 0)
        #expect(csize < input.count / 10)
        compressed.removeSubrange(csize...)

        // The frame announces its size; a cap below it must be refused before any work.
        let announced = ZSTD_getFrameContentSize(compressed, compressed.count)
        #expect(announced == UInt64(input.count))
        #expect(announced != CShim_ZSTD_CONTENTSIZE_ERROR())

        var output = [UInt8](repeating: 0, count: input.count)
        let dsize = ZSTD_decompress(&output, output.count, compressed, compressed.count)
        #expect(ZSTD_isError(dsize) == 0)
        #expect(output == input)

        // A buffer smaller than the content (the cap) makes zstd fail, not overflow.
        var small = [UInt8](repeating: 0, count: 1000)
        let capped = ZSTD_decompress(&small, small.count, compressed, compressed.count)
        #expect(ZSTD_isError(capped) != 0)
    }
}
