/// One way `hostile-peer` breaks the sync protocol on purpose (`--attack NAME`).
///
/// Each attack runs on its own folder stream: a fresh Hello (new index ID, so the victim drops
/// what an earlier attack left in its view of this device), then the attack's frames. Attacks
/// the victim must survive without closing the stream end with an honest sentinel file, which
/// the victim must pull and announce back.
enum Attack: String, CaseIterable, Sendable {
    /// A record at `../<canary>/…`: must be refused (protocol error), nothing written outside.
    case dotdot = "dotdot"
    /// A record at an absolute path inside the canary folder.
    case absolute = "absolute"
    /// `a/../../<canary>/…`: `..` in the middle of a path.
    case dotdotMiddle = "dotdot-middle"
    /// A NUL byte in a file name.
    case nul = "nul"
    /// A path component of 300 bytes (Linux allows 255).
    case longComponent = "long-component"
    /// A 5000-byte path (the protocol allows 4000).
    case longPath = "long-path"
    /// A symlink pointing at the canary folder (absolute, and `../canary` relative), then a
    /// file announced through each link: the links may be created, the files never.
    case symlinkEscape = "symlink-escape"
    /// `Readme.txt` and `README.txt`: two different files on Linux, each with its own content.
    case caseCollision = "case-collision"
    /// `café.txt` in NFC and in NFD: two different files, each with its own content.
    case unicodeCollision = "unicode-collision"
    /// A chunk response whose zstd frame (no content size) expands to 1 GiB instead of 1 MiB.
    case zstdBomb = "zstd-bomb"
    /// A zstd frame whose header declares the right size but whose blocks expand to 1 GiB.
    case zstdLyingHeader = "zstd-lying-header"
    /// A file record whose size is not the sum of its chunks.
    case sizeMismatch = "size-mismatch"
    /// Chunk data that does not match the announced SHA-256.
    case badChunk = "bad-chunk"
    /// A chunk response shorter than the chunk (a lying raw size).
    case shortChunk = "short-chunk"
    /// A file record of 2 TiB (the protocol caps files at 1 TiB).
    case hugeFile = "huge-file"
    /// An index of `--flood-count` entries (default 1 000 000), streamed in batches of 1000
    /// and generated on the fly (never held in memory by this peer either).
    case indexFlood = "index-flood"
    /// Index frames of 8 MiB (records with ~3900-byte paths) sent as fast as the victim takes
    /// them for `--fat-seconds`: far faster than it can store them, so only receive flow control
    /// keeps its memory bounded.
    case fatIndex = "fat-index"

    /// True when the victim must close the stream with a protocol error.
    var expectsProtocolError: Bool {
        switch self {
        case .dotdot, .absolute, .dotdotMiddle, .nul, .longComponent, .longPath, .zstdBomb, .zstdLyingHeader, .sizeMismatch, .hugeFile:
            return true
        case .symlinkEscape, .caseCollision, .unicodeCollision, .badChunk, .shortChunk, .indexFlood, .fatIndex:
            return false
        }
    }
}
