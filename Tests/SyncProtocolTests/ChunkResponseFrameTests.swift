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

/// A decoded raw response carries its chunk as a view of the received frame (no copy); a
/// compressed one carries the decompressed bytes; a payload whose length is not the announced
/// size is refused either way.
@Suite struct ChunkResponsePayloadTests {
    @Test func aRawPayloadIsAViewOfTheFrame() throws {
        var rng = SeededRandom(seed: 5)
        let data = rng.bytes(65_536)
        let frame = SyncFrame.response(ChunkResponse(requestID: 3, status: .ok, data: data)).encode()
        guard case .response(let r) = try SyncFrame.decode(frame) else { Issue.record("not a response"); return }
        #expect(Array(r.data) == data)
        #expect(r.data.indices == ChunkResponse.framePrefixBytes..<frame.count, "the payload's place in the frame")
        let payloadStart = r.data.withUnsafeBufferPointer { $0.baseAddress }
        let frameStart = frame.withUnsafeBufferPointer { $0.baseAddress }
        #expect(payloadStart == frameStart.map { $0 + ChunkResponse.framePrefixBytes }, "not copied out of the frame")
    }

    @Test func aCompressedPayloadIsDecompressed() throws {
        let data = Array(String(repeating: "abcdefgh", count: 2_000).utf8)
        let frame = SyncFrame.response(ChunkResponse(requestID: 4, status: .ok, data: data)).encode()
        #expect(frame[11] == ChunkResponse.Encoding.zstd.rawValue)
        guard case .response(let r) = try SyncFrame.decode(frame) else { Issue.record("not a response"); return }
        #expect(Array(r.data) == data)
    }

    @Test(arguments: [-1, 1]) func aPayloadOfAnotherLengthThanAnnouncedIsRefused(delta: Int) {
        var frame = SyncFrame.response(ChunkResponse(requestID: 5, status: .ok, data: [UInt8](repeating: 1, count: 100))).encode()
        frame.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(100 + delta).bigEndian, toByteOffset: 12, as: UInt32.self) }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(frame) }
    }
}
