import Testing
import WireKit
@testable import SyncProtocol

func sampleHash(_ seed: UInt8) -> ContentHash {
    ContentHash(bytes: (0..<32).map { UInt8(truncatingIfNeeded: Int($0) &* 7 &+ Int(seed)) }) ?? .zero
}

func sampleRecord(_ path: String = "dir/file.txt") -> FileRecord {
    FileRecord(path: SyncPath(path), kind: .file, size: 70_000, permissions: 0o640, mtimeNanoseconds: 1_700_000_000_123_456_789,
               modifiedBy: 0xABCD, version: VersionVector([.init(device: 0xABCD, value: 3), .init(device: 7, value: 1)]),
               sequence: 42, contentHash: sampleHash(9),
               chunks: [ChunkInfo(size: 65_536, hash: sampleHash(1)), ChunkInfo(size: 4_464, hash: sampleHash(2))])
}

func sampleFrames() -> [SyncFrame] {
    [
        .hello(Hello(deviceID: "MFZWI3D-BONSGYC", deviceName: "laptop", folders: [
            .init(folderID: "default", indexID: 1, maxSequence: 2, peerIndexID: 3, peerMaxSequence: 4)])),
        .index(IndexMessage(folderID: "default", indexID: 99, isUpdate: true, records: [
            sampleRecord(),
            FileRecord(path: SyncPath("dir"), kind: .directory, permissions: 0o755, version: VersionVector([.init(device: 1, value: 1)])),
            FileRecord(path: SyncPath("link"), kind: .symlink, symlinkTarget: "dir/file.txt"),
            FileRecord(path: SyncPath("gone"), kind: .file, deleted: true, sequence: 7),
        ])),
        .request(ChunkRequest(requestID: 5, folderID: "default", path: SyncPath("dir/file.txt"), offset: 65_536, size: 4_464, hash: sampleHash(2))),
        .request(ChunkRequest(requestID: 6, folderID: "default", path: SyncPath("dir/file.txt"), offset: 65_536, size: 4_464, hash: sampleHash(2),
                              skip: 4_000)),
        .response(ChunkResponse(requestID: 5, status: .ok, data: Array(repeating: 0x41, count: 4_464))),
        .response(ChunkResponse(requestID: 6, status: .ok, data: SeededRandom(seed: 1).bytesArray(3000))),
        .response(ChunkResponse(requestID: 7, status: .notFound)),
        .indexComplete(folderID: "default", sequence: 12),
        .ping,
        .close(Close(reason: "bye")),
    ]
}

extension SeededRandom {
    func bytesArray(_ n: Int) -> [UInt8] { var r = self; return r.bytes(n) }
}

@Suite struct FrameCodecTests {
    @Test(arguments: sampleFrames()) func roundTrip(_ frame: SyncFrame) throws {
        let bytes = frame.encode()
        #expect(try SyncFrame.decode(bytes) == frame)
    }

    @Test func aRequestWithoutSkipIsWrittenAsBeforeAndASkipMustLeaveBytes() throws {
        let plain = ChunkRequest(requestID: 5, folderID: "f", path: SyncPath("a"), offset: 0, size: 100, hash: sampleHash(2))
        var tail = plain
        tail.skip = 60
        #expect(SyncFrame.request(tail).encode().count == SyncFrame.request(plain).encode().count + 4)
        var whole = plain
        whole.skip = 100   // nothing would be left to send
        #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(SyncFrame.request(whole).encode()) }
    }

    @Test func compressibleResponseIsCompressedRandomIsNot() throws {
        let compressible = SyncFrame.response(ChunkResponse(requestID: 1, status: .ok, data: Array(repeating: 7, count: 65_536))).encode()
        #expect(compressible.count < 1_000)
        #expect(compressible[SyncFrame.headerBytes + 5] == ChunkResponse.Encoding.zstd.rawValue)
        var rng = SeededRandom(seed: 3)
        let random = SyncFrame.response(ChunkResponse(requestID: 1, status: .ok, data: rng.bytes(65_536))).encode()
        #expect(random[SyncFrame.headerBytes + 5] == ChunkResponse.Encoding.raw.rawValue)
    }

    /// A large chunk is compressed whole only if its start or its middle compresses: random
    /// data is not, nor one that would save under 10 % whole; a chunk compressible only past a
    /// random start is (its middle shows it), and decodes to the original bytes.
    @Test func largeChunksAreTriedBySamplesFirst() throws {
        var rng = SeededRandom(seed: 5)
        let random = rng.bytes(65_536)
        #expect(ChunkCompression.compressIfWorthwhile(random)?.count == nil)
        let randomThenZeros = Array(random[..<8_192]) + [UInt8](repeating: 0, count: 57_344)
        let compressed = try #require(ChunkCompression.compressIfWorthwhile(randomThenZeros))
        #expect(compressed.count < 9_500)
        #expect(try ChunkCompression.decompress(compressed, announcedSize: randomThenZeros.count) == randomThenZeros)
        let zerosThenRandom = [UInt8](repeating: 0, count: 4_096) + Array(random[..<61_440])
        #expect(ChunkCompression.compressIfWorthwhile(zerosThenRandom)?.count == nil, "would save under 10 %: sent raw")
    }

    @Test func everyTruncationIsAParseErrorNotATrap() {
        for frame in sampleFrames() {
            let bytes = frame.encode()
            for cut in 0..<bytes.count {
                #expect(throws: SyncProtocolParseError.self) { try SyncFrame.decode(Array(bytes[..<cut])) }
                // Also with a length prefix that matches the truncated body.
                var fixed = Array(bytes[..<cut])
                if fixed.count >= 6 {
                    let n = UInt32(fixed.count - 4)
                    fixed[0] = UInt8(n >> 24); fixed[1] = UInt8(truncatingIfNeeded: n >> 16)
                    fixed[2] = UInt8(truncatingIfNeeded: n >> 8); fixed[3] = UInt8(truncatingIfNeeded: n)
                    _ = try? SyncFrame.decode(fixed)
                }
            }
        }
    }

    @Test func randomMutationsNeverTrap() {
        var rng = SeededRandom(seed: 0x5EED)
        var rejected = 0
        for frame in sampleFrames() {
            let bytes = frame.encode()
            for _ in 0..<300 {
                var mutated = bytes
                for _ in 0..<Int(rng.next() % 4 + 1) {
                    let i = Int(rng.next() % UInt64(mutated.count))
                    mutated[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                if (try? SyncFrame.decode(mutated)) == nil { rejected += 1 }
            }
        }
        #expect(rejected > 0, "seed \(rng.seed)")
    }

    @Test func versionAndTypeAreChecked() {
        var bytes = SyncFrame.ping.encode()
        bytes[4] = 2
        #expect(throws: SyncProtocolParseError.unsupportedVersion(2)) { try SyncFrame.decode(bytes) }
        bytes[4] = 1; bytes[5] = 200
        #expect(throws: SyncProtocolParseError.unknownMessageType(200)) { try SyncFrame.decode(bytes) }
        var trailing = SyncFrame.ping.encode() + [0]
        trailing[3] = 3
        #expect(throws: SyncProtocolParseError.trailingBytes(1)) { try SyncFrame.decode(trailing) }
    }

    @Test func assemblerSplitsAStream() throws {
        let frames = sampleFrames()
        let stream = frames.flatMap { $0.encode() }
        var assembler = FrameAssembler()
        var out: [SyncFrame] = []
        var i = 0
        var rng = SeededRandom(seed: 11)
        while i < stream.count {
            let n = min(stream.count - i, Int(rng.next() % 97) + 1)
            assembler.append(stream[i..<(i + n)]); i += n
            while let f = try assembler.nextFrame() { out.append(try SyncFrame.decode(f)) }
        }
        #expect(out == frames)
        var hostile = FrameAssembler()
        hostile.append([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: SyncProtocolParseError.self) { try hostile.nextFrame() }
    }

    /// Frames wait in a queue for the engine: each must hold its own bytes, not the assembler's
    /// receive buffer (which grew for the largest frame so far).
    @Test func assembledFramesDoNotPinTheReceiveBuffer() throws {
        var rng = SeededRandom(seed: 12)
        let big = SyncFrame.response(ChunkResponse(requestID: 1, status: .ok, data: rng.bytes(600 << 10))).encode()
        let small = SyncFrame.ping.encode()
        var assembler = FrameAssembler()
        assembler.append(big)
        #expect(try assembler.nextFrame() == big)
        var kept: [[UInt8]] = []
        for _ in 0..<3 {
            assembler.append(small)
            let frame = try #require(try assembler.nextFrame())
            #expect(frame == small)
            #expect(frame.capacity < 4096, "a \(frame.count)-byte frame holds \(frame.capacity) bytes")
            kept.append(frame)
        }
    }

    @Test func versionVectorOrdering() {
        let a = VersionVector().incremented(by: 1)
        let b = a.incremented(by: 2)
        let c = a.incremented(by: 3)
        #expect(a.compare(b) == .lesser)
        #expect(b.compare(a) == .greater)
        #expect(b.compare(c) == .concurrent)
        #expect(b.compare(b) == .equal)
        let m = b.merged(with: c)
        #expect(m.compare(b) == .greater && m.compare(c) == .greater)
        #expect(VersionVector().compare(VersionVector()) == .equal)
    }
}
