@testable import Daemon
import SyncProtocol
import Testing

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

    @Test func onlyAnExactFrameIsPassedOnWhole() {
        let f = Self.frame(payload: 100)
        #expect(DataChannelLink.wholeFrame(f) == f)
        #expect(DataChannelLink.wholeFrame(Array(f.dropLast())) == nil, "a piece of a frame")
        #expect(DataChannelLink.wholeFrame(f + [0, 0, 0, 0]) == nil, "a frame and the start of another")
        #expect(DataChannelLink.wholeFrame([0, 0]) == nil)
        #expect(DataChannelLink.wholeFrame([0xff, 0xff, 0xff, 0xff]) == nil)
    }
}
