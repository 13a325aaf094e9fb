/// Why a typed device ID was rejected by ``DeviceID/init(parsing:)``.
///
/// Each case carries enough to tell a person what to fix.
public enum DeviceIDParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A character outside the base32 alphabet (A–Z, 2–7) at `position` (0-based, after
    /// spaces and dashes are removed).
    case invalidCharacter(Character, position: Int)
    /// The ID has the 52 characters of a bare SHA-256 in base32 but none of the four check
    /// characters; copy the full ID (8 groups of 7) instead.
    case missingCheckCharacters
    /// The ID has `count` characters, not the 56 (8 groups of 7) a device ID has.
    case wrongLength(count: Int)
    /// The check character of group `group` (0–3, each covering 13 characters) does not match:
    /// a character in that part of the ID was mistyped.
    case checkCharacterMismatch(group: Int)
    /// The last data character carries bits beyond the 256 of a SHA-256 digest.
    case nonCanonicalEncoding

    public var description: String {
        switch self {
        case let .invalidCharacter(c, position):
            return "invalid character '\(c)' at position \(position + 1): a device ID uses only A–Z and 2–7"
        case .missingCheckCharacters:
            return "the device ID lacks its check characters: copy the full ID (8 groups of 7 characters)"
        case let .wrongLength(count):
            return "a device ID has 56 characters (8 groups of 7), not \(count)"
        case let .checkCharacterMismatch(group):
            return "the device ID has a typo in characters \(group * 14 + 1)–\(group * 14 + 14) (check character mismatch)"
        case .nonCanonicalEncoding:
            return "the device ID is not a canonical SHA-256 encoding"
        }
    }
}
