/// Why a path received from a peer (or found on disk) was refused.
public enum PathViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path is empty.
    case empty
    /// The path is longer than ``PathPolicy/maxPathBytes``.
    case tooLong(Int)
    /// A component is longer than ``PathPolicy/maxComponentBytes``.
    case componentTooLong(Int)
    /// The path has more than ``PathPolicy/maxDepth`` components.
    case tooDeep(Int)
    /// The path starts with `/`.
    case absolute
    /// The path has an empty component (`a//b`, trailing `/`).
    case emptyComponent
    /// The path has a `.` or `..` component.
    case dotComponent
    /// The path contains NUL or another C0 control character or DEL.
    case controlCharacter
    /// The path names PeerSync's own temp files or state directory.
    case reservedName(String)

    public var description: String {
        switch self {
        case .empty: return "empty path"
        case .tooLong(let n): return "path of \(n) bytes is too long"
        case .componentTooLong(let n): return "a component of \(n) bytes is too long"
        case .tooDeep(let n): return "path of \(n) components is too deep"
        case .absolute: return "absolute path"
        case .emptyComponent: return "empty path component"
        case .dotComponent: return "'.' or '..' component"
        case .controlCharacter: return "control character in path"
        case .reservedName(let n): return "reserved name '\(n)'"
        }
    }
}

/// The rules every path from a peer must pass before it touches the file system.
///
/// Paths are relative to the folder root, `/`-separated, normalised (no empty, `.` or `..`
/// components), free of control characters, bounded in length and depth, and never name
/// PeerSync's temp files (``tempPrefix``) or state directory (``stateDirectoryName``).
/// Unicode is not normalised and case is significant; see docs/path-policy.md.
/// That no component on disk is a symlink is checked by the writer, against the real tree.
public enum PathPolicy {
    /// Longest accepted path, in UTF-8 bytes (Linux PATH_MAX is 4096 including the root).
    public static let maxPathBytes = 4000
    /// Longest accepted component, in UTF-8 bytes (Linux NAME_MAX).
    public static let maxComponentBytes = 255
    /// Most components in a path.
    public static let maxDepth = 256
    /// Prefix of the writer's temp files; such names are never synced and never accepted.
    public static let tempPrefix = ".peersync-tmp-"
    /// The per-folder state directory (folder marker, versions); never synced.
    public static let stateDirectoryName = ".peersync"

    /// True when `component` is one of PeerSync's own names (temp file or state directory).
    public static func isReserved(component: some StringProtocol) -> Bool {
        component == stateDirectoryName || component.utf8.starts(with: tempPrefix.utf8)
    }

    /// Checks an untrusted path and returns it as a ``SyncPath``.
    public static func validate(_ path: String) throws(PathViolation) -> SyncPath {
        let bytes = path.utf8
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= maxPathBytes else { throw .tooLong(bytes.count) }
        if bytes.first == UInt8(ascii: "/") { throw .absolute }
        var depth = 0
        var componentLength = 0
        var componentStart = bytes.startIndex
        func finish(_ end: String.UTF8View.Index) throws(PathViolation) {
            depth += 1
            guard depth <= maxDepth else { throw .tooDeep(depth) }
            guard componentLength > 0 else { throw .emptyComponent }
            guard componentLength <= maxComponentBytes else { throw .componentTooLong(componentLength) }
            let component = path[componentStart..<end]
            if component == "." || component == ".." { throw .dotComponent }
            if isReserved(component: component) { throw .reservedName(String(component)) }
        }
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let b = bytes[index]
            if b < 0x20 || b == 0x7F { throw .controlCharacter }
            if b == UInt8(ascii: "/") {
                try finish(index)
                componentLength = 0
                componentStart = bytes.index(after: index)
            } else {
                componentLength += 1
            }
            index = bytes.index(after: index)
        }
        try finish(bytes.endIndex)
        return SyncPath(path)
    }
}
