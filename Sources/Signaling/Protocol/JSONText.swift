/// Hand-written JSON output for the hottest frames (a relayed `signal`), byte-for-byte what
/// any JSON parser reads back as the same strings (RFC 8259 §7 escaping).
enum JSONText {
    /// A JSON object of string members, in the given order.
    static func object(_ members: [(String, String)]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(members.reduce(2) { $0 + $1.0.utf8.count + $1.1.utf8.count + 6 })
        bytes.append(UInt8(ascii: "{"))
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `{"type":"signal","<peerKey>":<peer>,"payload":<payload>}` written straight into the
    /// string's own storage (one allocation); the same bytes as `object` makes.
    static func signal(peerKey: String, peer: String, payload: String) -> String {
        let head = #"{"type":"signal",""#
        let middle = #","payload":"#
        let count = head.utf8.count + peerKey.utf8.count + 2 + quotedCount(peer) + middle.utf8.count
            + quotedCount(payload) + 1
        return String(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            for byte in head.utf8 { put(byte) }
            for byte in peerKey.utf8 { put(byte) }
            put(UInt8(ascii: "\""))
            put(UInt8(ascii: ":"))
            writeQuoted(peer, put)
            for byte in middle.utf8 { put(byte) }
            writeQuoted(payload, put)
            put(UInt8(ascii: "}"))
            precondition(index == count, "JSONText.signal: length computed wrongly")
            return index
        }
    }

    /// Appends `text` as a quoted JSON string: `"` and `\\` escaped, control characters as
    /// `\\n`, `\\r`, `\\t` or `\\u00XX`; everything else (UTF-8 included) as is.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        writeQuoted(text) { bytes.append($0) }
    }

    /// The length in bytes of `text` once quoted and escaped as `appendString` writes it.
    static func quotedCount(_ text: String) -> Int {
        var count = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): count += 2
            case 0..<0x20: count += 6
            default: count += 1
            }
        }
        return count
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Emits `text` quoted and escaped, byte by byte.
    private static func writeQuoted(_ text: String, _ put: (UInt8) -> Void) {
        put(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(UInt8(ascii: "\\")); put(byte)
            case UInt8(ascii: "\n"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
            case 0..<0x20:
                for escape in "\\u00".utf8 { put(escape) }
                put(hex[Int(byte >> 4)])
                put(hex[Int(byte & 0x0F)])
            default:
                put(byte)
            }
        }
        put(UInt8(ascii: "\""))
    }
}
