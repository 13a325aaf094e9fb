import CZstd
import Testing
import WireKit
@testable import SyncProtocol

/// Frames a malicious peer could send; each must be refused with a parse error.
@Suite struct HostileCorpusTests {
    func frame(type: SyncFrame.MessageType, body: (inout ByteWriter) -> Void) -> [UInt8] {
        var w = ByteWriter()
        w.writeUInt32(0); w.writeUInt8(1); w.writeUInt8(type.rawValue)
        body(&w)
        w.setUInt32(UInt32(w.count - 4), at: 0)
        return w.bytes
    }

    func indexFrame(path: String, mutate: (inout FileRecord) -> Void = { _ in }) -> [UInt8] {
        var record = sampleRecord()
        mutate(&record)
        return frame(type: .index) { w in
            w.writeString16("f"); w.writeUInt64(1); w.writeUInt8(0); w.writeUInt32(1)
            record.path = SyncPath(path)
            IndexMessage.encode(record, into: &w)
        }
    }

    static let hostilePaths = [
        "/etc/passwd", "../escape", "a/../../b", "a/./b", "./a", "a//b", "a/", "", "a\u{0}b", "a\nb",
        ".peersync/index.db", "dir/.peersync-tmp-file.txt.1234", String(repeating: "x", count: 256),
        String(repeating: "a/", count: 300) + "z", String(repeating: "abcdefgh/", count: 500),
    ]

    @Test(arguments: hostilePaths) func hostilePathsInIndexAreRefused(_ path: String) {
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(indexFrame(path: path)) }
    }

    @Test(arguments: hostilePaths) func hostilePathsInRequestsAreRefused(_ path: String) {
        let bytes = frame(type: .request) { w in
            w.writeUInt32(1); w.writeString16("f"); w.writeString16(path); w.writeUInt64(0); w.writeUInt32(10)
            w.writeBytes([UInt8](repeating: 0, count: 32))
        }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(bytes) }
    }

    @Test func invalidUTF8PathIsRefused() {
        let bytes = frame(type: .request) { w in
            w.writeUInt32(1); w.writeString16("f"); w.writeUInt16(2); w.writeBytes([0xC3, 0x28]); w.writeUInt64(0); w.writeUInt32(10)
            w.writeBytes([UInt8](repeating: 0, count: 32))
        }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(bytes) }
    }

    @Test func lyingCountsAndSizesAreRefused() {
        // A record count of four billion in a tiny frame.
        let huge = frame(type: .index) { w in w.writeString16("f"); w.writeUInt64(1); w.writeUInt8(0); w.writeUInt32(.max) }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(huge) }
        // Chunks that do not add up to the size.
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(indexFrame(path: "a") { $0.size += 1 }) }
        // A file larger than the limit.
        #expect(throws: SyncProtocolParseError.self) {
            try SyncFrame.decode(indexFrame(path: "a") { $0.size = FrameLimits.maxFileSize + 1 })
        }
        // Chunks on a tombstone.
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(indexFrame(path: "a") { $0.deleted = true }) }
        // Permission bits beyond 0o7777.
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(indexFrame(path: "a") { $0.permissions = 0o170000 }) }
        // A request for 16 MiB.
        let bigRequest = frame(type: .request) { w in
            w.writeUInt32(1); w.writeString16("f"); w.writeString16("a"); w.writeUInt64(0); w.writeUInt32(16 << 20)
            w.writeBytes([UInt8](repeating: 0, count: 32))
        }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(bigRequest) }
        // A length prefix announcing 4 GiB.
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode([0xFF, 0xFF, 0xFF, 0xFF, 1, 6]) }
        // A response whose raw size disagrees with its payload.
        let liar = frame(type: .response) { w in w.writeUInt32(1); w.writeUInt8(0); w.writeUInt8(0); w.writeUInt32(100); w.writeBytes([1, 2, 3]) }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(liar) }
    }

    func compress(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let n = ZSTD_compress(&out, out.count, data, data.count, 19)
        return Array(out[..<n])
    }

    @Test func zstdBombIsCappedAtTheAnnouncedSize() {
        // 64 MiB of zeros compresses to a few KiB; the peer announces only 1 KiB.
        let bomb = compress([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 8_192)
        let bytes = frame(type: .response) { w in
            w.writeUInt32(1); w.writeUInt8(0); w.writeUInt8(1); w.writeUInt32(1024); w.writeBytes(bomb)
        }
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(bytes) }
    }

    @Test func zstdWithoutContentSizeStillCapped() throws {
        // A streaming-compressed frame carries no content size; the cap must still hold.
        let input = [UInt8](repeating: 1, count: 2 << 20)
        let cctx = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(cctx) }
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        var produced = 0
        input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
                var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                _ = ZSTD_compressStream2(cctx, &outBuf, &inBuf, ZSTD_e_end)
                produced = outBuf.pos
            }
        }
        let payload = Array(out[..<produced])
        #expect(throws: SyncProtocolParseError.self) { try ChunkCompression.decompress(payload, announcedSize: 4096) }
        // Garbage and concatenated frames are refused too.
        #expect(throws: SyncProtocolParseError.self) { try ChunkCompression.decompress([1, 2, 3, 4, 5], announcedSize: 10) }
        let one = compress([UInt8](repeating: 5, count: 1000))
        #expect(throws: SyncProtocolParseError.self) { try ChunkCompression.decompress(one + one, announcedSize: 2000) }
        #expect(try ChunkCompression.decompress(one, announcedSize: 1000) == [UInt8](repeating: 5, count: 1000))
    }
}
