import WireKit

/// How a folder exchanges changes.
public enum FolderMode: Sendable, Equatable {
    /// Local changes are sent and remote changes are pulled.
    case sendReceive
    /// Local changes are sent; remote changes are never pulled.
    case sendOnly
    /// Remote changes are pulled; local changes are flagged, never sent, and can be reverted.
    case receiveOnly
}

/// The settings of one folder's engine.
public struct FolderConfig: Sendable {
    /// The folder ID shared with peers.
    public var folderID: String
    /// This device's ID (opaque text; the DTLS layer defines it).
    public var localDeviceID: String
    /// This device's human-readable name.
    public var deviceName: String
    /// Send/receive mode.
    public var mode: FolderMode = .sendReceive
    /// Most chunk bytes requested and not yet answered, over all peers.
    public var maxBytesInFlight = FolderConfig.defaultMaxBytesInFlight
    /// The default of ``maxBytesInFlight``: 4 MiB keeps a daemon's peak RSS under 64 MiB in
    /// sync-compare (56–61 against 60–67 MiB with 8 MiB, same wall time within noise) and covers the
    /// bandwidth-delay product of ~670 Mbit/s at 50 ms.
    public static let defaultMaxBytesInFlight = 4 << 20
    /// How long a chunk request may stay unanswered before it is asked again elsewhere.
    public var requestTimeout: Duration = .seconds(60)
    /// Most conflict copies kept per file; the oldest is removed beyond this.
    public var maxConflictCopies = 10
    /// A pull that would delete more than this share of the local files (and at least
    /// ``massDeletionMinimum`` files) is stopped and reported instead.
    public var maxDeletionShare = 0.5
    /// Deletions below this count are never blocked by the mass-deletion guard.
    public var massDeletionMinimum = 10
    /// Keep replaced and deleted files under `.peersync/versions/`.
    public var versioning = false
    /// Most files pulled at once (each holds a temp file open); the pull pass resumes as they finish.
    /// For small files this, not ``maxBytesInFlight``, bounds what is requested (64 pulls of 32 KiB
    /// are 2 MiB): in sync-compare's 1 GiB set, 128 placed the 10,000 small files alongside the
    /// large ones instead of after them, initial sync 3.16 / 3.18 s against 3.42 / 3.76 s with 64,
    /// peak RSS 59–60 against 53–56 MiB; 256 was no faster (3.09 / 3.33 s) at 61–62 MiB.
    public var maxActivePulls = FolderConfig.defaultMaxActivePulls
    /// The default of ``maxActivePulls``.
    public static let defaultMaxActivePulls = 128
    /// How long a deletion is remembered (as a tombstone) once every known peer has acknowledged it.
    public var tombstoneRetention: Duration = .seconds(30 * 86_400)
    /// Most records in one index message, and in one page read from the store.
    public var indexBatchRecords = 1000
    /// Most flushed pulls placed, plus entries committed, by one ``FolderEngine/collectSyncedSlice(now:)``
    /// (~90 µs each for a small file: a slice of 48 takes ~4 ms, so frames that arrive meanwhile
    /// wait that long, not the 35 ms a whole syncer round's worth took).
    public var placingSliceEntries = 48
    /// Most records kept per peer (a peer announcing more is disconnected).
    public var maxRemoteRecords = 2_000_000
    /// Most chunk entries kept per peer over all its records (36 bytes each in memory, so
    /// 20 million ≈ 720 MB, describing ≈ 1.2 TiB at the 64 KiB average); more disconnects it.
    public var maxRemoteChunks = 20_000_000
    /// Most response bytes queued for one peer; requests beyond it are dropped (the peer retries).
    public var maxQueuedBytesPerPeer = 32 << 20
    /// Index pages for a peer are read from the store only while less than this many bytes
    /// wait to be sent to it (see ``FolderEngine/setUnsentBytes(_:peer:)``), so a large index
    /// is never copied into send queues whole.
    public var maxUnsentIndexBytes = 1 << 20
    /// Files of at least this size are hashed after the rest of a scan (so the first batches a
    /// peer hears of are small files, quick to hash and to pull; see ``ScanCursor``).
    public var scanLargeFileSize: UInt64 = 1 << 20
    /// How long the content of a file deleted by a peer stays reusable for pulls (moved into
    /// `.peersync/held/`, see ``FolderEngine/holdDeleted(_:record:)``): a rename whose new
    /// name reaches us in a later index update than its deletion then costs no transfer.
    public var deletedContentHold: Duration = .seconds(60)

    /// A configuration with defaults.
    public init(folderID: String, localDeviceID: String, deviceName: String = "", mode: FolderMode = .sendReceive) {
        self.folderID = folderID; self.localDeviceID = localDeviceID; self.deviceName = deviceName; self.mode = mode
    }
}
