/// Small grammar helpers shared by the SDP parsers: strict decimal numbers and tokens.
enum SDPScalars {
    /// A non-negative decimal number of at most 20 digits, no sign, no spaces.
    static func number<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring, as: T.Type = T.self) -> T? {
        guard !text.isEmpty, text.utf8.count <= 20,
              text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return T(text, radix: 10)
    }

    /// A non-negative decimal number of at most 20 digits, no sign, no spaces.
    static func number<T: FixedWidthInteger & UnsignedInteger>(_ text: String, as: T.Type = T.self) -> T? {
        number(Substring(text), as: T.self)
    }

    /// RFC 8866 `token` characters: visible ASCII except the separators.
    static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { c in
            switch c {
            case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E:
                return true
            default:
                return false
            }
        }
    }

    /// True when the text is non-empty and holds no space or control character.
    static func isNonSpaceString(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
    }

    /// Splits on single spaces, dropping empty fields (tolerates doubled spaces).
    static func fields(_ text: Substring) -> [Substring] {
        text.split(separator: " ", omittingEmptySubsequences: true)
    }

    /// Splits at the first space: the head and the rest (nil when there is no space).
    static func splitFirstSpace(_ text: Substring) -> (Substring, Substring?) {
        guard let space = text.firstIndex(of: " ") else { return (text, nil) }
        return (text[..<space], text[text.index(after: space)...])
    }
}
