/// One line of a `.syncignore` file (gitignore syntax), compiled for matching.
///
/// Supports `*` and `?` (not crossing `/`), `[...]` classes with ranges and `!`/`^` negation,
/// `**` (any number of directories), `\` escapes, a leading `!` (re-include), a trailing `/`
/// (directories only) and anchoring (a `/` at the start or in the middle ties the pattern to
/// the folder root; otherwise it matches a name at any depth). Matching is a dynamic program
/// over pattern × path, so hostile patterns from a peer cannot cause exponential backtracking.
public struct IgnorePattern: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(UInt8)
        case anyOne
        case star
        case anything
        case directories
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    /// The source line.
    public let source: String
    /// True for a `!` pattern (matching entries are re-included).
    public let negated: Bool
    /// True for a pattern ending in `/` (matches directories only).
    public let directoryOnly: Bool
    /// True when the pattern is matched against the whole path, not just the name.
    public let anchored: Bool
    let tokens: [Token]

    /// Longest accepted pattern line, in bytes.
    public static let maxLength = 1024

    /// Compiles a line; nil for blank lines, comments and over-long lines.
    public init?(line: String) {
        var bytes = Array(line.utf8)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        // Trailing unescaped spaces are ignored.
        while bytes.last == UInt8(ascii: " ") && !(bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: "\\")) {
            bytes.removeLast()
        }
        guard !bytes.isEmpty, bytes.count <= Self.maxLength, bytes.first != UInt8(ascii: "#") else { return nil }
        source = line
        var negated = false
        if bytes.first == UInt8(ascii: "!") { negated = true; bytes.removeFirst() }
        var directoryOnly = false
        if bytes.last == UInt8(ascii: "/") { directoryOnly = true; bytes.removeLast() }
        var anchored = false
        if bytes.first == UInt8(ascii: "/") { anchored = true; bytes.removeFirst() }
        if bytes.contains(UInt8(ascii: "/")) { anchored = true }
        guard !bytes.isEmpty else { return nil }
        self.negated = negated
        self.directoryOnly = directoryOnly
        self.anchored = anchored
        tokens = Self.tokenize(bytes)
    }

    static func tokenize(_ b: [UInt8]) -> [Token] {
        var out: [Token] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\\"):
                if i + 1 < b.count { out.append(.literal(b[i + 1])); i += 2 } else { i += 1 }
            case UInt8(ascii: "?"):
                out.append(.anyOne); i += 1
            case UInt8(ascii: "*"):
                if i + 1 < b.count && b[i + 1] == UInt8(ascii: "*") {
                    let atStart = i == 0 || b[i - 1] == UInt8(ascii: "/")
                    var j = i
                    while j < b.count && b[j] == UInt8(ascii: "*") { j += 1 }
                    if atStart && j < b.count && b[j] == UInt8(ascii: "/") {
                        out.append(.directories); i = j + 1
                    } else if atStart && j == b.count {
                        out.append(.anything); i = j
                    } else {
                        out.append(.star); i = j
                    }
                } else {
                    out.append(.star); i += 1
                }
            case UInt8(ascii: "["):
                if let (token, next) = parseSet(b, from: i + 1) { out.append(token); i = next } else { out.append(.literal(c)); i += 1 }
            default:
                out.append(.literal(c)); i += 1
            }
        }
        return out
    }

    static func parseSet(_ b: [UInt8], from start: Int) -> (Token, Int)? {
        var i = start
        var negated = false
        if i < b.count && (b[i] == UInt8(ascii: "!") || b[i] == UInt8(ascii: "^")) { negated = true; i += 1 }
        var ranges: [ClosedRange<UInt8>] = []
        var first = true
        while i < b.count {
            if b[i] == UInt8(ascii: "]") && !first { return (.set(ranges, negated: negated), i + 1) }
            first = false
            var lo = b[i]
            if lo == UInt8(ascii: "\\") && i + 1 < b.count { i += 1; lo = b[i] }
            if i + 2 < b.count && b[i + 1] == UInt8(ascii: "-") && b[i + 2] != UInt8(ascii: "]") {
                let hi = b[i + 2]
                if lo <= hi { ranges.append(lo...hi) }
                i += 3
            } else {
                ranges.append(lo...lo); i += 1
            }
        }
        return nil
    }

    /// True when the pattern matches `path` (relative, `/`-separated) of the given kind.
    public func matches(path: String, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        let full = Array(path.utf8)
        let text: ArraySlice<UInt8>
        if anchored {
            text = full[...]
        } else if let slash = full.lastIndex(of: UInt8(ascii: "/")) {
            text = full[(slash + 1)...]
        } else {
            text = full[...]
        }
        return Self.match(tokens, Array(text))
    }

    static func match(_ tokens: [Token], _ text: [UInt8]) -> Bool {
        let n = text.count
        let slash = UInt8(ascii: "/")
        var cur = [Bool](repeating: false, count: n + 1)
        cur[0] = true
        var next = cur
        for token in tokens {
            for j in 0...n { next[j] = false }
            switch token {
            case .literal(let c):
                for j in 0..<n where cur[j] && text[j] == c { next[j + 1] = true }
            case .anyOne:
                for j in 0..<n where cur[j] && text[j] != slash { next[j + 1] = true }
            case .set(let ranges, let negated):
                for j in 0..<n where cur[j] && text[j] != slash {
                    let inSet = ranges.contains { $0.contains(text[j]) }
                    if inSet != negated { next[j + 1] = true }
                }
            case .star:
                for j in 0...n { next[j] = cur[j] || (j > 0 && next[j - 1] && text[j - 1] != slash) }
            case .anything:
                for j in 0...n { next[j] = cur[j] || (j > 0 && next[j - 1]) }
            case .directories:
                var seen = false
                for j in 0...n {
                    next[j] = cur[j] || (j > 0 && seen && text[j - 1] == slash)
                    if cur[j] { seen = true }
                }
            }
            swap(&cur, &next)
            if !cur.contains(true) { return false }
        }
        return cur[n]
    }
}
