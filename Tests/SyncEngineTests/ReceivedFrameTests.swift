import Testing
import SyncFS
import SyncProtocol
@testable import SyncEngine

/// ``FolderEngine/prepare(_:)`` decodes a frame and hashes the chunk bytes it carries, off the
/// folder's serial path; ``FolderEngine/handle(bytes:from:now:)`` goes through it too, so every
/// engine test exercises the prepared digest.
@Suite struct ReceivedFrameTests {
    @Test func okResponsesCarryTheDigestOfTheirDecodedBytes() throws {
        var rng = SystemRandomNumberGenerator()
        let random = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = Array(String(repeating: "the same line, again and again\n", count: 3000).utf8)
        for data in [random, text] {
            let bytes = SyncFrame.response(ChunkResponse(requestID: 7, status: .ok, data: data)).encode()
            let prepared = FolderEngine.prepare(bytes)
            #expect(prepared.chunkHash == SHA256Hasher.hash(data))
            #expect(prepared.wireBytes == bytes.count)
            guard case .success(.response(let r)) = prepared.frame else { Issue.record("not a response"); return }
            #expect(Array(r.data) == data && r.requestID == 7)
        }
        #expect(SyncFrame.response(ChunkResponse(requestID: 7, status: .ok, data: text)).encode().count < text.count / 10, "the text chunk went compressed")
    }

    /// A raw chunk stays a view of its message only while the message's buffer is about the
    /// chunk's size: one in a much larger buffer (SCTP reserved it from an earlier, bigger
    /// message) is copied out, so a chunk waiting to be written never pins the larger buffer.
    @Test func aChunkKeepsNoMuchLargerBufferAlive() throws {
        var rng = SystemRandomNumberGenerator()
        let data = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let exact = SyncFrame.response(ChunkResponse(requestID: 3, status: .ok, data: data)).encode()
        var roomy = [UInt8]()
        roomy.reserveCapacity(4 * exact.count)
        roomy.append(contentsOf: exact)
        for (bytes, isView) in [(exact, true), (roomy, false)] {
            let prepared = FolderEngine.prepare(bytes)
            guard case .success(.response(let r)) = prepared.frame else { Issue.record("not a response"); return }
            #expect(r.bytes == data && prepared.chunkHash == SHA256Hasher.hash(data))
            #expect((r.data.startIndex > 0) == isView, "capacity \(bytes.capacity) for \(bytes.count) bytes")
        }
    }

    @Test func otherFramesCarryNoDigestAndBadBytesAFailure() throws {
        let notFound = FolderEngine.prepare(SyncFrame.response(ChunkResponse(requestID: 1, status: .notFound)).encode())
        #expect(notFound.chunkHash == nil)
        if case .success(.response(let r)) = notFound.frame { #expect(r.status == .notFound) } else { Issue.record("not a response") }
        let ping = FolderEngine.prepare(SyncFrame.ping.encode())
        #expect(ping.chunkHash == nil)
        if case .success(.ping) = ping.frame {} else { Issue.record("not a ping") }
        let garbage = FolderEngine.prepare([0, 0, 0, 2, 1, 99])
        guard case .failure = garbage.frame else { Issue.record("garbage decoded"); return }
        #expect(garbage.wireBytes == 6)
    }

    /// A batch is prepared as its frames are one by one: responses whose chunks are hashed in
    /// pairs (an odd one alone) get the same digests, and other frames none.
    @Test func aBatchIsPreparedAsItsFramesAreOneByOne() throws {
        var rng = SystemRandomNumberGenerator()
        func chunk(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let frames: [[UInt8]] = [
            SyncFrame.response(ChunkResponse(requestID: 1, status: .ok, data: chunk(65_536))).encode(),
            SyncFrame.ping.encode(),
            SyncFrame.response(ChunkResponse(requestID: 2, status: .ok, data: chunk(1_000))).encode(),
            [0, 0, 0, 2, 1, 99],
            SyncFrame.response(ChunkResponse(requestID: 3, status: .notFound)).encode(),
            SyncFrame.response(ChunkResponse(requestID: 4, status: .ok, data: chunk(17))).encode(),
            SyncFrame.response(ChunkResponse(requestID: 5, status: .ok, data: [])).encode(),
            SyncFrame.response(ChunkResponse(requestID: 6, status: .ok, data: chunk(40_000))).encode(),
        ]
        for count in 0...frames.count {
            let batch = Array(frames.prefix(count))
            let together = FolderEngine.prepare(batch: batch), alone = batch.map(FolderEngine.prepare)
            #expect(together.map(\.chunkHash) == alone.map(\.chunkHash))
            #expect(together.map(\.wireBytes) == alone.map(\.wireBytes))
            for (t, a) in zip(together, alone) {
                switch (t.frame, a.frame) {
                case (.success(let x), .success(let y)): #expect(x.encode() == y.encode())
                case (.failure, .failure): break
                default: Issue.record("decoded differently")
                }
            }
        }
        #expect(FolderEngine.prepare(batch: frames).compactMap(\.chunkHash).count == 5)
    }
}
