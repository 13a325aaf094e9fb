import Testing
@testable import SyncFS

@Suite struct IgnoreRulesTests {
    @Test(arguments: [
        ("*.log", "a.log", false, true), ("*.log", "dir/sub/a.log", false, true), ("*.log", "a.log.txt", false, false),
        ("/build", "build", true, true), ("/build", "src/build", true, false), ("build/", "x/build", true, true),
        ("build/", "x/build", false, false), ("doc/*.txt", "doc/a.txt", false, true), ("doc/*.txt", "doc/x/a.txt", false, false),
        ("**/foo", "foo", false, true), ("**/foo", "a/b/foo", false, true), ("a/**/b", "a/b", false, true),
        ("a/**/b", "a/x/y/b", false, true), ("abc/**", "abc/x/y", false, true), ("abc/**", "abc", true, false),
        ("?.c", "a.c", false, true), ("?.c", "ab.c", false, false), ("[a-c]x", "bx", false, true), ("[!a-c]x", "bx", false, false),
        ("\\#file", "#file", false, true), ("#comment", "#comment", false, false), ("a*b", "a/b", false, false),
        ("*", "anything/at/all", false, true),
    ])
    func pattern(_ pattern: String, _ path: String, _ isDir: Bool, _ expected: Bool) {
        let rules = IgnoreRules(text: pattern)
        #expect(rules.isIgnored(path, isDirectory: isDir) == expected)
    }

    @Test func negationAndOrder() {
        let rules = IgnoreRules(text: "*.log\n!keep.log\n# comment\n\n", overlay: "secret/")
        #expect(rules.isIgnored("a.log", isDirectory: false))
        #expect(!rules.isIgnored("keep.log", isDirectory: false))
        #expect(rules.isIgnored("secret", isDirectory: true))
        #expect(!rules.isIgnored("notes.txt", isDirectory: false))
    }

    @Test func hostilePatternIsLinearNotExponential() {
        let evil = String(repeating: "*a", count: 400) + "b"
        let rules = IgnoreRules(text: evil)
        #expect(!rules.isIgnored(String(repeating: "a", count: 3000), isDirectory: false))
        // Over-long lines are dropped, and unterminated classes are literals.
        #expect(IgnorePattern(line: String(repeating: "x", count: 2000)) == nil)
        #expect(IgnoreRules(text: "[abc").isIgnored("[abc", isDirectory: false))
    }
}
