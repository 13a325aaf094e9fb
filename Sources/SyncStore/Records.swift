import Foundation
import GRDB

/// A folder known to this device (table `folder`).
public struct FolderRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "folder"
    /// The folder ID shared between devices.
    public var id: String
    /// Our index generation for it (bit pattern of the UInt64).
    public var indexID: Int64
}

/// A paired device (table `device`).
public struct DeviceRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "device"
    /// The device ID (opaque text).
    public var id: String
    /// Its human-readable name.
    public var name: String
}

/// One index entry, local (`device == ""`) or a peer's (table `file`).
public struct FileRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "file"
    /// The folder.
    public var folderID: String
    /// The device whose index this is; empty for the local index.
    public var device: String
    /// Path relative to the folder root.
    public var path: String
    /// FileKind raw value.
    public var kind: Int
    /// Tombstone flag.
    public var deleted: Bool
    /// Size in bytes.
    public var size: Int64
    /// Permission bits.
    public var permissions: Int
    /// Modification time (ns).
    public var mtime: Int64
    /// Short ID of the last modifier.
    public var modifiedBy: Int64
    /// The version vector, canonical encoding (16 bytes per counter, sorted).
    public var version: Data
    /// The owning device's sequence number for this record.
    public var sequence: Int64
    /// Whole-content hash (also the key of its chunk list).
    public var contentHash: Data
    /// Symlink target.
    public var symlinkTarget: String
    /// Local state: inode (local rows only).
    public var inode: Int64?
    /// Local state: ctime (local rows only).
    public var ctime: Int64?
    /// Local state: mtime seen on disk.
    public var diskMtime: Int64?
    /// Local state: size seen on disk.
    public var diskSize: Int64?
    /// Local state: mode seen on disk.
    public var diskPermissions: Int?
    /// Local state: kind seen on disk.
    public var diskKind: Int?
    /// For a local tombstone: the wall time (ns since the epoch) the retention sweep first saw it.
    public var deletedAt: Int64?
    /// A live one-chunk file's chunk list (36 bytes, as in ``ChunkListRow/chunks``), kept in
    /// its own row: such a file has no `chunkList` row and, when local, no `chunkLocation` row
    /// (its chunk is found by the content hash). Nil otherwise (and in rows written before
    /// migration `v4-inline-chunk-lists-partial-indexes`, whose lists stay in those tables).
    public var inlineChunks: Data?
}

/// A chunk list, stored once per distinct content (table `chunkList`).
public struct ChunkListRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "chunkList"
    /// The content hash (SHA-256 over the chunk hashes).
    public var contentHash: Data
    /// The chunks: 36 bytes each (size u32 BE + SHA-256).
    public var chunks: Data
}

/// Where a local copy of a chunk lives (table `chunkLocation`).
public struct ChunkLocationRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "chunkLocation"
    /// The chunk's SHA-256.
    public var hash: Data
    /// The folder.
    public var folderID: String
    /// The local file holding it.
    public var path: String
    /// Byte offset in that file.
    public var offset: Int64
    /// Chunk size.
    public var size: Int
}

/// How far a peer's index has been received (table `remoteProgress`).
public struct RemoteProgressRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The table this record maps.
    public static let databaseTableName = "remoteProgress"
    /// The folder.
    public var folderID: String
    /// The peer.
    public var device: String
    /// The peer's index generation.
    public var indexID: Int64
    /// Highest sequence received.
    public var maxSequence: Int64
    /// Highest of our sequences the peer said it holds.
    public var acknowledgedSequence: Int64
}
