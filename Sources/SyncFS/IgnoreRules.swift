/// The ignore rules of a folder: `.syncignore` at its root (synced like any file) plus an
/// optional local overlay that is never synced. The last matching pattern decides, as in git.
public struct IgnoreRules: Sendable, Equatable {
    /// The name of the synced ignore file at the folder root.
    public static let fileName = ".syncignore"
    /// Most patterns accepted from one file (more are dropped).
    public static let maxPatterns = 10_000

    /// The compiled patterns, in order of precedence (later wins).
    public private(set) var patterns: [IgnorePattern]

    /// No rules: nothing is ignored.
    public init() { patterns = [] }

    /// Rules from the text of `.syncignore` followed by the local overlay's text.
    public init(text: String, overlay: String = "") {
        var all: [IgnorePattern] = []
        for source in [text, overlay] {
            var count = 0
            for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
                guard count < Self.maxPatterns else { break }
                if let p = IgnorePattern(line: String(line)) { all.append(p); count += 1 }
            }
        }
        patterns = all
    }

    /// True when `path` is ignored. The scanner does not descend into ignored directories,
    /// so (as in git) a file below an ignored directory cannot be re-included.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        for p in patterns.reversed() where p.matches(path: path, isDirectory: isDirectory) {
            return !p.negated
        }
        return false
    }
}
