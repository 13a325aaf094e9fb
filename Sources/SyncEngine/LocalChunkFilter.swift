import SyncProtocol

/// A Bloom filter of the chunk hashes the folder's local files hold: it answers "certainly
/// not here" for most chunks a pull needs, so ``FolderEngine/localChunk(_:)`` skips the store
/// lookup that always misses in an initial sync (one SQLite query per pulled chunk).
///
/// Built from the store (``IndexStore/forEachLocalChunkHash(folderID:_:)``) on first use and
/// added to by every local commit; never shrunk (a hash that left the folder only costs a
/// lookup, as a false positive does). Correctness never depends on it: a hash missing from it
/// only makes a pull fetch from a peer a chunk it could have copied locally.
///
/// Memory: ``bitsPerHash`` bits per hash it is sized for (twice what the store held when built,
/// at least ``minimumCapacity``), rounded up to a power of two and capped at ``maximumBytes``
/// (2 MiB: 16 bits per hash for a million hashes). Past its capacity the engine drops it and
/// builds it again, larger, at its next use; past the cap it stays and only grows less exact.
/// The hashes are SHA-256 digests, so their words serve as the filter's hash functions.
struct LocalChunkFilter {
    /// Bits per hash the filter is sized for: about 1 % false positives with ``probes``.
    static let bitsPerHash = 10
    /// Bits set and tested per hash.
    static let probes = 7
    /// Hashes a filter is sized for at least (16 KiB of bits).
    static let minimumCapacity = 8192
    /// Largest filter kept.
    static let maximumBytes = 2 << 20

    private var words: [UInt64]
    /// `bits - 1` (the bit count is a power of two).
    private let mask: UInt64
    /// Hashes inserted (duplicates included).
    private(set) var count = 0
    /// Hashes this filter holds before it should be built again, larger.
    let capacity: Int

    /// An empty filter for `capacity` hashes (within the size bounds).
    init(capacity: Int) {
        let wanted = max(capacity, Self.minimumCapacity) * Self.bitsPerHash
        var bits = 64
        while bits < wanted && bits < Self.maximumBytes * 8 { bits <<= 1 }
        words = [UInt64](repeating: 0, count: bits / 64)
        mask = UInt64(bits - 1)
        self.capacity = bits >= Self.maximumBytes * 8 ? Int.max : bits / Self.bitsPerHash
    }

    /// The filter's size in bytes.
    var bytes: Int { words.count * 8 }

    /// True when more hashes went in than it was sized for (and it may grow).
    var isOverfull: Bool { count > capacity }

    /// Adds `hash`.
    mutating func insert(_ hash: ContentHash) {
        var h = hash.w0
        let step = hash.w1 | 1
        for _ in 0..<Self.probes {
            let bit = h & mask
            words[Int(bit >> 6)] |= 1 << (bit & 63)
            h &+= step
        }
        count += 1
    }

    /// False when `hash` was certainly never inserted; true when it may have been.
    func mayContain(_ hash: ContentHash) -> Bool {
        var h = hash.w0
        let step = hash.w1 | 1
        for _ in 0..<Self.probes {
            let bit = h & mask
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
            h &+= step
        }
        return true
    }
}
