/// What kind of entry a record describes.
public enum FileKind: UInt8, Sendable, Equatable, Codable {
    /// A regular file with content chunks.
    case file = 0
    /// A directory.
    case directory = 1
    /// A symbolic link (synced as a link, never followed).
    case symlink = 2
}

/// One content-defined chunk of a file: its length and SHA-256. Offsets are implied by order.
public struct ChunkInfo: Hashable, Sendable {
    /// Length in bytes.
    public var size: UInt32
    /// SHA-256 of the chunk's bytes.
    public var hash: ContentHash
    /// A chunk.
    public init(size: UInt32, hash: ContentHash) { self.size = size; self.hash = hash }
}

/// One entry of a device's index: a file, directory or symlink and the version that device has.
public struct FileRecord: Hashable, Sendable {
    /// Path relative to the folder root.
    public var path: SyncPath
    /// Entry kind.
    public var kind: FileKind
    /// True for a tombstone (the entry was deleted at this version).
    public var deleted: Bool
    /// Size in bytes (files only).
    public var size: UInt64
    /// Permission bits (the low 12 bits of st_mode).
    public var permissions: UInt32
    /// Modification time, nanoseconds since the Unix epoch.
    public var mtimeNanoseconds: Int64
    /// Short ID of the device that made this version.
    public var modifiedBy: UInt64
    /// The version.
    public var version: VersionVector
    /// The sending device's sequence number for this record.
    public var sequence: UInt64
    /// SHA-256 of the whole content (zero for non-files and tombstones).
    public var contentHash: ContentHash
    /// The content's chunks in order (files only).
    public var chunks: [ChunkInfo]
    /// The link target (symlinks only).
    public var symlinkTarget: String

    /// A record; unspecified fields default to an empty, undeleted entry.
    public init(path: SyncPath, kind: FileKind, deleted: Bool = false, size: UInt64 = 0, permissions: UInt32 = 0o644,
                mtimeNanoseconds: Int64 = 0, modifiedBy: UInt64 = 0, version: VersionVector = VersionVector(),
                sequence: UInt64 = 0, contentHash: ContentHash = .zero, chunks: [ChunkInfo] = [], symlinkTarget: String = "") {
        self.path = path; self.kind = kind; self.deleted = deleted; self.size = size
        self.permissions = permissions; self.mtimeNanoseconds = mtimeNanoseconds; self.modifiedBy = modifiedBy
        self.version = version; self.sequence = sequence; self.contentHash = contentHash
        self.chunks = chunks; self.symlinkTarget = symlinkTarget
    }

    /// True when two records describe the same content and metadata (ignoring version and sequence).
    public func sameContent(as other: FileRecord) -> Bool {
        kind == other.kind && deleted == other.deleted && (deleted || (
            size == other.size && contentHash == other.contentHash && symlinkTarget == other.symlinkTarget
            && (kind == .symlink || permissions == other.permissions)))
    }
}
