/// A pairing code as people read and type it: `<nameplate>-<word>-<word>`, e.g. `7-ember-lantern`.
///
/// The nameplate is the rendezvous room number the server assigns (usually one digit; more
/// when many rooms are open) and the server sees it. The two words are the secret: drawn
/// uniformly from the 2048-word ``PairingWordList`` they carry 22 bits, and they never reach
/// the server — both sides feed the whole code to SPAKE2 as the password. Because each room
/// allows exactly one attempt, an attacker who joins first guesses right with probability
/// 2⁻²² (1 in 4,194,304). See docs/pairing.md.
public struct PairingCode: Hashable, Sendable, CustomStringConvertible {
    /// The room nameplate (0–999999).
    public let nameplate: UInt32
    /// The two secret words, canonical (lower case, full word).
    public let words: [String]

    /// Bits of entropy in the secret part (two words from 2048).
    public static let secretBits = 22
    /// The number of words in the list.
    public static let wordCount = PairingWordList.words.count

    /// A code from its parts; words may be given as any unique prefix of four or more letters.
    public init(nameplate: UInt32, words: [String]) throws(PairingCodeError) {
        guard nameplate <= 999_999 else { throw .invalidNameplate }
        guard words.count == 2 else { throw .wrongWordCount(words.count) }
        self.nameplate = nameplate
        var canonical: [String] = []
        for w in words { canonical.append(try Self.lookup(w)) }
        self.words = canonical
    }

    /// A fresh code for `nameplate` with words drawn from `entropy` (at least 4 bytes of
    /// uniform randomness; 22 bits are used).
    public init(nameplate: UInt32, entropy: [UInt8]) throws(PairingCodeError) {
        guard entropy.count >= 4 else { throw .insufficientEntropy }
        let v = entropy.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let first = Int(v & 0x7FF), second = Int((v >> 11) & 0x7FF)
        try self.init(nameplate: nameplate, words: [PairingWordList.words[first], PairingWordList.words[second]])
    }

    /// A fresh code for `nameplate` with words from OpenSSL's CSPRNG.
    public static func generate(nameplate: UInt32) throws(PairingCodeError) -> PairingCode {
        try PairingCode(nameplate: nameplate, entropy: PairingCrypto.randomBytes(4))
    }

    /// Parses what a person typed: surrounding space ignored, case-insensitive, `-` or spaces
    /// between parts, words by any unique prefix of four or more letters.
    public init(parsing text: String) throws(PairingCodeError) {
        let parts = text.lowercased().split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "\t" || $0 == "\n" })
        guard parts.count == 3 else { throw .malformed }
        guard parts[0].utf8.count <= 6, parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let nameplate = UInt32(parts[0]) else { throw .invalidNameplate }
        try self.init(nameplate: nameplate, words: parts.dropFirst().map(String.init))
    }

    /// The canonical spelling, `7-ember-lantern`.
    public var description: String { "\(nameplate)-" + words.joined(separator: "-") }

    /// The SPAKE2 password: the canonical code as UTF-8, with a domain prefix.
    var passwordBytes: [UInt8] { Array("peersync-pairing-code-v1:\(description)".utf8) }

    /// The full word for `typed` (exact or unique prefix of ≥ 4 letters).
    static func lookup(_ typed: String) throws(PairingCodeError) -> String {
        let w = typed.lowercased()
        guard w.utf8.count >= 3, w.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { throw .unknownWord(typed) }
        if let exact = index[w] { return PairingWordList.words[exact] }
        guard w.utf8.count >= 4 else { throw .unknownWord(typed) }
        let matches = PairingWordList.words.filter { $0.hasPrefix(w) }
        guard matches.count == 1, let only = matches.first else { throw .unknownWord(typed) }
        return only
    }

    private static let index: [String: Int] = Dictionary(
        uniqueKeysWithValues: PairingWordList.words.enumerated().map { ($1, $0) })
}

/// Why a pairing code was not accepted.
public enum PairingCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `<number>-<word>-<word>`.
    case malformed
    /// The nameplate is not a number of at most six digits.
    case invalidNameplate
    /// Not exactly two words.
    case wrongWordCount(Int)
    /// A word is not in the list (nor a unique prefix of one).
    case unknownWord(String)
    /// Fewer than 4 bytes of entropy were supplied.
    case insufficientEntropy

    public var description: String {
        switch self {
        case .malformed: return "a pairing code looks like 7-ember-lantern"
        case .invalidNameplate: return "the pairing code must start with a number"
        case .wrongWordCount(let n): return "a pairing code has two words, not \(n)"
        case .unknownWord(let w): return "'\(w)' is not a pairing-code word; check the spelling"
        case .insufficientEntropy: return "not enough randomness to make a pairing code"
        }
    }
}
