import SyncEngine
import SyncFS
import SyncProtocol
import WireKit

/// Builds the frames `hostile-peer` sends, including ones the product's encoders would never
/// write: records are encoded from ``FileRecord`` values without any validation (paths with
/// `..`, NUL, over-long names; sizes that disagree with the chunks), and chunk responses are
/// written by hand so their encoding and sizes can lie.
struct HostileFrames {
    /// The folder under attack.
    let folderID: String
    /// This device's ID (the one its certificate proves).
    let deviceID: String
    /// The index generation of the current attack.
    let indexID: UInt64
    /// This device's short ID, for version vectors.
    var shortID: UInt64 { FolderEngine.shortID(of: deviceID) }

    /// The Hello that opens an attack: a new index generation, so the victim drops earlier records.
    func hello(maxSequence: UInt64) -> [UInt8] {
        SyncFrame.hello(Hello(deviceID: deviceID, deviceName: "hostile-peer", folders: [
            .init(folderID: folderID, indexID: indexID, maxSequence: maxSequence, peerIndexID: 0, peerMaxSequence: 0)])).encode()
    }

    /// One Index frame holding `records` (encoded as they are, valid or not).
    func index(_ records: [FileRecord], isUpdate: Bool) -> [UInt8] {
        SyncFrame.index(IndexMessage(folderID: folderID, indexID: indexID, isUpdate: isUpdate, records: records)).encode()
    }

    /// The IndexComplete that lets the victim pull.
    func indexComplete(_ sequence: UInt64) -> [UInt8] { SyncFrame.indexComplete(folderID: folderID, sequence: sequence).encode() }

    /// A live file record for `content` (one chunk when it fits, else 1 MiB chunks), newer than
    /// anything the victim has (a version counter of this device only).
    func file(_ path: String, content: [UInt8], sequence: UInt64) -> FileRecord {
        var chunks: [ChunkInfo] = []
        var offset = 0
        while offset < content.count {
            let end = min(offset + FrameLimits.maxChunkBytes, content.count)
            chunks.append(ChunkInfo(size: UInt32(end - offset), hash: SHA256Hasher.hash(Array(content[offset..<end]))))
            offset = end
        }
        return FileRecord(path: SyncPath(path), kind: .file, size: UInt64(content.count), permissions: 0o644,
                          mtimeNanoseconds: 1_700_000_000_000_000_000, modifiedBy: shortID,
                          version: VersionVector([.init(device: shortID, value: sequence)]), sequence: sequence,
                          contentHash: SHA256Hasher.contentHash(of: chunks), chunks: chunks)
    }

    /// A symlink record.
    func symlink(_ path: String, target: String, sequence: UInt64) -> FileRecord {
        FileRecord(path: SyncPath(path), kind: .symlink, permissions: 0o777, mtimeNanoseconds: 1_700_000_000_000_000_000,
                   modifiedBy: shortID, version: VersionVector([.init(device: shortID, value: sequence)]),
                   sequence: sequence, symlinkTarget: target)
    }

    /// A tombstone (the cheapest record: no chunks), for the index flood.
    func tombstone(_ path: String, sequence: UInt64) -> FileRecord {
        FileRecord(path: SyncPath(path), kind: .file, deleted: true, mtimeNanoseconds: 1_700_000_000_000_000_000,
                   modifiedBy: shortID, version: VersionVector([.init(device: shortID, value: sequence)]), sequence: sequence)
    }

    /// A Response frame written by hand: `encoding` 0 raw, 1 zstd; `rawSize` as announced.
    static func response(requestID: UInt32, encoding: UInt8, rawSize: UInt32, payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 16 + payload.count)
        w.writeUInt32(0)
        w.writeUInt8(SyncFrame.version)
        w.writeUInt8(SyncFrame.MessageType.response.rawValue)
        w.writeUInt32(requestID)
        w.writeUInt8(ChunkResponse.Status.ok.rawValue)
        w.writeUInt8(encoding)
        w.writeUInt32(rawSize)
        w.writeBytes(payload)
        w.setUInt32(UInt32(w.count - 4), at: 0)
        return w.bytes
    }

    /// A zstd frame of RLE blocks expanding to `expandedBytes` bytes of `byte`: 4 bytes per
    /// 128 KiB, so 1 GiB takes 32 KiB. With `declaredSize` the frame header claims that content
    /// size (a lie when it is smaller than `expandedBytes`); without, the size is left unknown.
    static func zstdBomb(expandedBytes: Int, byte: UInt8, declaredSize: UInt32?) -> [UInt8] {
        var out: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]                 // magic, little-endian
        let block = 128 << 10
        if let declared = declaredSize {
            out.append(0b1010_0000)                                  // FCS 4 bytes, single segment
            withUnsafeBytes(of: declared.littleEndian) { out.append(contentsOf: $0) }
        } else {
            out.append(0)                                            // no FCS, window descriptor follows
            out.append(7 << 3)                                       // window 2^(10+7) = 128 KiB
        }
        var left = expandedBytes
        while left > 0 {
            let n = min(left, block)
            left -= n
            let header = UInt32(left == 0 ? 1 : 0) | (1 << 1) | (UInt32(n) << 3)   // last flag, RLE, size
            out.append(UInt8(header & 0xFF)); out.append(UInt8((header >> 8) & 0xFF)); out.append(UInt8(header >> 16))
            out.append(byte)
        }
        return out
    }
}
