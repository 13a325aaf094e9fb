import Testing
import WireKit
@testable import SyncProtocol

/// A response frame built around its payload (``ChunkResponse/okFrame(requestID:size:fill:)``)
/// is byte for byte the frame ``SyncFrame/encode()`` writes, raw or compressed.
@Suite struct ChunkResponseFrameTests {
    @Test(arguments: [0, 1, 127, 4_096, 70_000])
    func rawChunkFrameEqualsEncodedFrame(size: Int) throws {
        var rng = SeededRandom(seed: UInt64(size) + 7)
        let data = rng.bytes(size)
        let frame = try #require(ChunkResponse.okFrame(requestID: 0xA1B2_C3D4, size: size) { payload in
            data.withUnsafeBytes { payload.copyMemory(from: $0) }
            return true
        })
        let expected = SyncFrame.response(ChunkResponse(requestID: 0xA1B2_C3D4, status: .ok, data: data)).encode()
        #expect(frame == expected)
        #expect(frame.count == ChunkResponse.framePrefixBytes + size, "sent raw")
        #expect(try SyncFrame.decode(frame) == .response(ChunkResponse(requestID: 0xA1B2_C3D4, status: .ok, data: data)))
    }

    @Test func compressibleChunkFrameEqualsEncodedFrame() throws {
        let data = Array(String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 400).utf8)
        let frame = try #require(ChunkResponse.okFrame(requestID: 9, size: data.count) { payload in
            data.withUnsafeBytes { payload.copyMemory(from: $0) }
            return true
        })
        #expect(frame == SyncFrame.response(ChunkResponse(requestID: 9, status: .ok, data: data)).encode())
        #expect(frame[11] == ChunkResponse.Encoding.zstd.rawValue)
        #expect(frame.count < data.count, "sent compressed")
    }

    @Test func failedFillGivesNoFrame() {
        #expect(ChunkResponse.okFrame(requestID: 1, size: 16) { _ in false } == nil)
    }
}
