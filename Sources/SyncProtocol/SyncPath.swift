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

    public static func == (a: SyncPath, b: SyncPath) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }
    /// Hashes the UTF-8 bytes (not the canonical form).
    public func hash(into hasher: inout Hasher) {
        for b in string.utf8 { hasher.combine(b) }
        hasher.combine(0xFF as UInt8)
    }
    public static func < (a: SyncPath, b: SyncPath) -> Bool { a.string.utf8.lexicographicallyPrecedes(b.string.utf8) }
    public var description: String { string }
}
