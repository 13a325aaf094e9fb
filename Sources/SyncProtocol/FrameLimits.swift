/// Hard limits on what a peer may send; anything larger is a parse error, never an allocation.
public enum FrameLimits {
    /// Largest frame, header included (an index batch or a chunk response).
    public static let maxFrameBytes = 8 << 20
    /// Largest chunk a peer may request or send (the chunker's maximum is 256 KiB).
    public static let maxChunkBytes = 1 << 20
    /// Most records in one index message.
    public static let maxRecordsPerMessage = 100_000
    /// Most chunks in one file record (about 12 GiB at the 64 KiB average).
    public static let maxChunksPerFile = 200_000
    /// Most counters in one version vector.
    public static let maxVersionCounters = 256
    /// Most folders in a hello.
    public static let maxFolders = 1024
    /// Longest device ID, device name, folder ID or reason text, in bytes.
    public static let maxLabelBytes = 256
    /// Longest symlink target, in bytes.
    public static let maxSymlinkTargetBytes = 4095
    /// Largest file size a record may announce (1 TiB).
    public static let maxFileSize: UInt64 = 1 << 40
}
