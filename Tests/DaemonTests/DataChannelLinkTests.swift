@testable import Daemon
import SyncProtocol
import Testing
import WireKit

/// How a data channel link cuts frames into messages and recognises a message that is one
/// whole frame: pieces cover the frame in order, none is over the message bound, a frame just
/// over 64 KiB goes whole, and the receiver's assembler joins the pieces to the same frame.
@Suite struct DataChannelLinkTests {
    static func frame(payload: Int) -> [UInt8] {
        let n = payload
        return [UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    }

    @Test(arguments: [10, 65_547, DataChannelLink.maxMessageBytes - 4, DataChannelLink.maxMessageBytes - 3, 262_159, 1 << 20])
    func piecesCoverTheFrameWithinTheBound(payload: Int) throws {
        let f = Self.frame(payload: payload)
        let pieces = DataChannelLink.pieces(of: f)
        #expect(pieces.allSatisfy { $0.count <= DataChannelLink.maxMessageBytes && !$0.isEmpty })
        #expect(pieces.count == (f.count + DataChannelLink.maxMessageBytes - 1) / DataChannelLink.maxMessageBytes)
        #expect(Set(pieces.map(\.count)).count <= 2, "equal pieces, within one byte")
        #expect(pieces.flatMap { $0 } == f)
        var assembler = FrameAssembler()
        var out: [[UInt8]] = []
        for p in pieces {
            assembler.append(p)
            while let frame = try assembler.nextFrame() { out.append(frame) }
        }
        #expect(out == [f])
        #expect(DataChannelLink.wholeFrame(f) == f)
        #expect(pieces.count == 1 || DataChannelLink.wholeFrame(Array(pieces[0])) == nil, "the first piece alone is not a frame")
    }

    /// A daemon peer (which advertises ``DataChannelLink/advertisedMaxMessageSize``) gets every
    /// chunk response whole; a peer at the W3C default (or below) gets pieces as before.
    @Test func messageSizeFollowsThePeersLimit() {
        #expect(DataChannelLink.messageBytes(peerMaxMessageSize: 262_144) == DataChannelLink.maxMessageBytes)
        #expect(DataChannelLink.messageBytes(peerMaxMessageSize: 65_536) == 65_536)
        #expect(DataChannelLink.messageBytes(peerMaxMessageSize: 0) == 1024)
        #expect(DataChannelLink.messageBytes(peerMaxMessageSize: 300_000) == 300_000)
        let daemon = DataChannelLink.messageBytes(peerMaxMessageSize: DataChannelLink.advertisedMaxMessageSize)
        #expect(daemon == DataChannelLink.wholeFrameMessageBytes)
        var rng = SeededRandom(seed: 7)  // incompressible: the frame carries the chunk raw
        let chunk = (0..<FrameLimits.maxChunkBytes).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let largest = SyncFrame.response(ChunkResponse(requestID: 1, status: .ok, data: chunk)).encode()
        #expect(largest.count > FrameLimits.maxChunkBytes)
        #expect(DataChannelLink.pieces(of: largest, maxBytes: daemon).count == 1, "a frame of the largest chunk goes whole")
        #expect(DataChannelLink.pieces(of: Self.frame(payload: 2 << 20), maxBytes: daemon).allSatisfy { $0.count <= daemon })
    }

    @Test func onlyAnExactFrameIsPassedOnWhole() {
        let f = Self.frame(payload: 100)
        #expect(DataChannelLink.wholeFrame(f) == f)
        #expect(DataChannelLink.wholeFrame(Array(f.dropLast())) == nil, "a piece of a frame")
        #expect(DataChannelLink.wholeFrame(f + [0, 0, 0, 0]) == nil, "a frame and the start of another")
        #expect(DataChannelLink.wholeFrame([0, 0]) == nil)
        #expect(DataChannelLink.wholeFrame([0xff, 0xff, 0xff, 0xff]) == nil)
    }
}
