/// A file's path inside a synced folder, relative to its root, components separated by `/`.
///
/// Equality, hashing and ordering use the UTF-8 bytes, not Swift's Unicode canonical
/// equivalence: Linux file systems treat `é` (NFC) and `e` + U+0301 (NFD) as different names,
/// and so do we (see docs/path-policy.md). Ordering matches SQLite's BINARY collation.
public struct SyncPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The path as text (always valid UTF-8).
    public let string: String

    /// Wraps a path without validating it; use ``PathPolicy/validate(_:)`` for untrusted input.
    public init(_ string: String) { self.string = string }

    /// The path's bytes.
    public var utf8: String.UTF8View { string.utf8 }

    /// The path's components.
    public var components: [Substring] { string.split(separator: "/", omittingEmptySubsequences: false) }

    /// The last component (the file name).
    public var name: String { String(components.last ?? "") }

    /// The parent directory, or nil for a top-level entry.
    public var parent: SyncPath? {
        guard let slash = string.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return SyncPath(String(string[..<slash]))
    }

    /// This path with `component` appended.
    public func appending(_ component: String) -> SyncPath { SyncPath(string + "/" + component) }

    /// True when `self` is `other` or lies below it.
    public func isSelfOrDescendant(of other: SyncPath) -> Bool {
        let a = Array(string.utf8), b = Array(other.string.utf8)
        if a == b { return true }
        return a.count > b.count && a.starts(with: b) && a[b.count] == UInt8(ascii: "/")
    }

    /// Compares the UTF-8 bytes eight at a time (comparing them one by one through the
    /// strings' views was most of a look-up in the engine's tables keyed by path).
    public static func == (a: SyncPath, b: SyncPath) -> Bool {
        guard a.string.utf8.count == b.string.utf8.count else { return false }
        return a.withUTF8 { x in b.withUTF8 { y in Self.bytesEqual(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
    }

    /// Whether two buffers of the same length hold the same bytes.
    static func bytesEqual(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i + 8 <= x.count {
            guard x.loadUnaligned(fromByteOffset: i, as: UInt64.self) == y.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
            i += 8
        }
        while i < x.count {
            guard x[i] == y[i] else { return false }
            i += 1
        }
        return true
    }

    /// Hashes the UTF-8 bytes (not the canonical form) in one call, then their count (a path
    /// hashed next to other values does not run into them).
    public func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(string.utf8.count)
    }

    /// `body` on the path's UTF-8 bytes (in place for a native string; a bridged one is copied).
    func withUTF8<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = string
        return copy.withUTF8(body)
    }
    public static func < (a: SyncPath, b: SyncPath) -> Bool { a.string.utf8.lexicographicallyPrecedes(b.string.utf8) }
    public var description: String { string }
}
