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

/// ``SyncPath``'s equality and hashing on UTF-8 bytes, at every length around the eight-byte
/// steps of its comparison, and with canonically equivalent but different spellings.
@Suite struct SyncPathEqualityTests {
    @Test func equalBytesAreEqualAndHashAlikeAnyOtherByteDiffers() {
        for length in 0...20 {
            let base = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let a = SyncPath(base), b = SyncPath(String(base.utf8.map { Character(UnicodeScalar($0)) }))   // same bytes, other storage
            #expect(a == b && a.hashValue == b.hashValue && Set([a, b]).count == 1, "length \(length)")
            for i in 0..<length {
                var bytes = Array(base.utf8)
                bytes[i] = UInt8(ascii: "_")
                #expect(SyncPath(String(decoding: bytes, as: UTF8.self)) != a, "length \(length), byte \(i)")
            }
            #expect(SyncPath(base + "x") != a)
        }
    }

    @Test func canonicallyEquivalentSpellingsAreDifferentPaths() {
        let nfc = SyncPath("caf\u{E9}/long-enough-name.txt"), nfd = SyncPath("cafe\u{301}/long-enough-name.txt")
        #expect(nfc.string == nfd.string, "Swift's String calls them equal")
        #expect(nfc != nfd && Set([nfc, nfd]).count == 2)
        #expect([nfc: 1, nfd: 2][nfd] == 2)
    }
}
