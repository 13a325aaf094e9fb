/// A version vector: for each device (by its 64-bit short ID), how many changes it made.
///
/// Decides which of two versions of a file is newer, or whether they are concurrent (a conflict).
/// Counters are kept sorted by device so equal vectors have equal encodings.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    /// One device's counter.
    public struct Counter: Hashable, Sendable {
        /// The device's short ID.
        public var device: UInt64
        /// How many changes that device made.
        public var value: UInt64
        /// A counter.
        public init(device: UInt64, value: UInt64) { self.device = device; self.value = value }
    }

    /// The non-zero counters, sorted by device.
    public private(set) var counters: [Counter]

    /// The empty vector (no changes by anyone).
    public init() { counters = [] }

    /// A vector from counters in any order (zero counters dropped, duplicates keep the max).
    public init(_ counters: [Counter]) {
        // Already canonical (how vectors are stored and sent): taken as is, no dictionary.
        var canonical = true
        for (i, c) in counters.enumerated() where c.value == 0 || (i > 0 && counters[i - 1].device >= c.device) { canonical = false; break }
        if canonical { self.counters = counters; return }
        var byDevice: [UInt64: UInt64] = [:]
        for c in counters where c.value > 0 { byDevice[c.device] = max(byDevice[c.device] ?? 0, c.value) }
        self.counters = byDevice.map { Counter(device: $0.key, value: $0.value) }.sorted { $0.device < $1.device }
    }

    /// The counter of `device` (zero when absent).
    public subscript(device: UInt64) -> UInt64 {
        counters.first { $0.device == device }?.value ?? 0
    }

    /// True when no device made a change.
    public var isEmpty: Bool { counters.isEmpty }

    /// This vector with `device`'s counter raised past every counter in it (a new local change).
    public func incremented(by device: UInt64) -> VersionVector {
        let top = counters.map(\.value).max() ?? 0
        var copy = counters.filter { $0.device != device }
        copy.append(Counter(device: device, value: max(self[device], top) + 1))
        return VersionVector(copy)
    }

    /// The element-wise maximum of two vectors.
    public func merged(with other: VersionVector) -> VersionVector {
        VersionVector(counters + other.counters)
    }

    /// How two versions relate.
    public enum Ordering: Sendable, Equatable {
        /// Same version.
        case equal
        /// `self` happened before the other (the other is newer).
        case lesser
        /// `self` is newer.
        case greater
        /// Neither includes the other: concurrent changes.
        case concurrent
    }

    /// Compares with `other`.
    public func compare(_ other: VersionVector) -> Ordering {
        var less = false, greater = false
        var i = 0, j = 0
        let a = counters, b = other.counters
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && a[i].device < b[j].device) {
                greater = true; i += 1
            } else if i >= a.count || b[j].device < a[i].device {
                less = true; j += 1
            } else {
                if a[i].value > b[j].value { greater = true } else if a[i].value < b[j].value { less = true }
                i += 1; j += 1
            }
        }
        switch (less, greater) {
        case (false, false): return .equal
        case (true, false): return .lesser
        case (false, true): return .greater
        case (true, true): return .concurrent
        }
    }

    public var description: String {
        "{" + counters.map { "\(String($0.device, radix: 16).prefix(6)):\($0.value)" }.joined(separator: ",") + "}"
    }
}
