import Testing
@testable import SyncProtocol

@Suite struct PathPolicyTests {
    @Test(arguments: ["a", "a/b/c.txt", "dir with space/ü.txt", ".syncignore", "a/.hidden", "...", "a\\b", "e\u{301}"])
    func acceptsNormalPaths(_ path: String) throws {
        #expect(try PathPolicy.validate(path).string == path)
    }

    @Test(arguments: [
        ("", PathViolation.empty), ("/a", .absolute), ("a//b", .emptyComponent), ("a/", .emptyComponent),
        ("..", .dotComponent), ("a/../b", .dotComponent), ("./a", .dotComponent), ("a\u{0}", .controlCharacter),
        ("a\u{7F}", .controlCharacter), (".peersync", .reservedName(".peersync")),
        ("x/.peersync-tmp-y", .reservedName(".peersync-tmp-y")),
    ])
    func refuses(_ path: String, _ violation: PathViolation) {
        #expect(throws: violation) { try PathPolicy.validate(path) }
    }

    @Test func lengthLimits() throws {
        _ = try PathPolicy.validate(String(repeating: "n", count: 255))
        #expect(throws: PathViolation.componentTooLong(256)) { try PathPolicy.validate(String(repeating: "n", count: 256)) }
        #expect(throws: PathViolation.tooLong(4001)) { try PathPolicy.validate(String(repeating: "n", count: 4001)) }
        #expect(throws: PathViolation.tooDeep(257)) { try PathPolicy.validate(Array(repeating: "d", count: 257).joined(separator: "/")) }
    }

    @Test func pathsCompareByBytesNotCanonicalEquivalence() {
        let nfc = SyncPath("\u{E9}"), nfd = SyncPath("e\u{301}")
        #expect("\u{E9}" == "e\u{301}")  // Swift strings would merge them…
        #expect(nfc != nfd)               // …paths must not.
        #expect(Set([nfc, nfd]).count == 2)
        #expect(SyncPath("A") != SyncPath("a"))
        #expect(SyncPath("a/b").isSelfOrDescendant(of: SyncPath("a")))
        #expect(!SyncPath("ab").isSelfOrDescendant(of: SyncPath("a")))
        #expect(SyncPath("a/b/c").parent == SyncPath("a/b"))
    }
}
