/// A strict hand-written reader for the relay's hot frame, `signal`, so the server does not run
/// `JSONDecoder` for every relayed message.
///
/// It recognises exactly one shape: a JSON object (RFC 8259) with the three string members
/// `"type":"signal"`, the peer key (`to` from a client, `from` from the server) and `payload`,
/// each once, in any order, with JSON whitespace anywhere between tokens. Member values may use
/// every JSON string escape except `\uD800`–`\uDFFF` (surrogates). Anything else — another
/// type, another or a repeated key, an escaped key, a non-string value, a surrogate escape,
/// trailing text, bad syntax — makes it answer nil, and the codec then decodes the frame with
/// the general decoder, which yields the message or the same error as before. So this is only
/// a shortcut: wherever it answers, its answer is the general decoder's (a test and the
/// signaling fuzz target check that).
enum SignalFrameScanner {
    /// The peer key's and the payload's values when `text` is a `signal` frame of the one
    /// recognised shape with peer key `peerKey`; nil otherwise.
    static func scan(_ text: String, peerKey: [UInt8]) -> (peer: String, payload: String)? {
        var text = text
        return text.withUTF8 { bytes in scan(bytes, peerKey: peerKey) }
    }

    /// The client's peer key, `to`.
    static let toKey = Array("to".utf8)
    /// The server's peer key, `from`.
    static let fromKey = Array("from".utf8)
    private static let typeKey = Array("type".utf8)
    private static let payloadKey = Array("payload".utf8)
    private static let signalValue = Array("signal".utf8)

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, peerKey: [UInt8]) -> (peer: String, payload: String)? {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var sawType = false
        var peer: String?
        var payload: String?
        var first = true
        while true {
            reader.skipWhitespace()
            if reader.take(UInt8(ascii: "}")) {
                guard !first else { return nil }
                break
            }
            if !first {
                guard reader.take(UInt8(ascii: ",")) else { return nil }
                reader.skipWhitespace()
            }
            first = false
            guard let key = reader.rawKey() else { return nil }
            reader.skipWhitespace()
            guard reader.take(UInt8(ascii: ":")) else { return nil }
            reader.skipWhitespace()
            guard let value = reader.string() else { return nil }
            if key.elementsEqual(typeKey) {
                guard !sawType, value.utf8.elementsEqual(signalValue) else { return nil }
                sawType = true
            } else if key.elementsEqual(peerKey) {
                guard peer == nil else { return nil }
                peer = value
            } else if key.elementsEqual(payloadKey) {
                guard payload == nil else { return nil }
                payload = value
            } else {
                return nil
            }
        }
        reader.skipWhitespace()
        guard reader.atEnd, sawType, let peer, let payload else { return nil }
        return (peer, payload)
    }

    /// A cursor over the frame's UTF-8 bytes (valid UTF-8: they come from a `String`).
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A key without escapes or control characters, as the bytes between its quotes.
        mutating func rawKey() -> UnsafeBufferPointer<UInt8>.SubSequence? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return bytes[start..<(index - 1)]
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// A JSON string value with its escapes resolved; nil on bad syntax or a surrogate escape.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // Fast path: no escapes, copied once.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(index - start + 64)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4(), !(0xD800...0xDFFF).contains(unit),
                              let scalar = Unicode.Scalar(unit), let encoded = UTF8.encode(scalar) else { return nil }
                        out.append(contentsOf: encoded)
                    default:
                        return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
    }
}
