/// A strict hand-written reader for the relay's hot frame, `signal`, so the server does not run
/// `JSONDecoder` for every relayed message.
///
/// It recognises exactly one shape: a JSON object (RFC 8259) with the three string members
/// `"type":"signal"`, the peer key (`to` from a client, `from` from the server) and `payload`,
/// each once, in any order, with JSON whitespace anywhere between tokens. Member values may use
/// every JSON string escape except `\uD800`–`\uDFFF` (surrogates). Anything else — another
/// type, another or a repeated key, an escaped key, a non-string value, a surrogate escape,
/// trailing text, bad syntax, bytes that are not UTF-8 — makes it answer nil, and the codec
/// then decodes the frame with the general decoder, which yields the message or the same error
/// as before. So this is only a shortcut: wherever it answers, its answer is the general
/// decoder's (a test and the signaling fuzz target check that).
///
/// `SignalFrameLayout.locate` is the same reader without building any string: it only says
/// where the members lie, so the rendezvous server can forward a payload as received.
enum SignalFrameScanner {
    /// The peer key's and the payload's values when `text` is a `signal` frame of the one
    /// recognised shape with peer key `peerKey`; nil otherwise.
    static func scan(_ text: String, peerKey: [UInt8]) -> (peer: String, payload: String)? {
        var text = text
        return text.withUTF8 { bytes -> (peer: String, payload: String)? in
            guard let layout = locate(bytes, peerKey: peerKey) else { return nil }
            guard let peer = value(bytes, layout.peer, escaped: layout.peerHasEscapes),
                  let payload = value(bytes, layout.payload, escaped: layout.payloadHasEscapes) else { return nil }
            return (peer, payload)
        }
    }

    /// The client's peer key, `to`.
    static let toKey = Array("to".utf8)
    /// The server's peer key, `from`.
    static let fromKey = Array("from".utf8)
    private static let typeKey = Array("type".utf8)
    private static let payloadKey = Array("payload".utf8)
    private static let signalValue = Array("signal".utf8)

    /// Where the members of a recognised `signal` frame lie; nil for any other frame.
    static func locate(_ bytes: UnsafeBufferPointer<UInt8>, peerKey: [UInt8]) -> SignalFrameLayout? {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var sawType = false
        var peer: Reader.StringExtent?
        var payload: Reader.StringExtent?
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
            guard let value = reader.stringExtent() else { return nil }
            if key.elementsEqual(typeKey) {
                guard !sawType, !value.hasEscapes,
                      bytes[(value.quoted.lowerBound + 1)..<(value.quoted.upperBound - 1)].elementsEqual(signalValue) else { return nil }
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
        return SignalFrameLayout(peer: (peer.quoted.lowerBound + 1)..<(peer.quoted.upperBound - 1),
                                 peerHasEscapes: peer.hasEscapes, quotedPayload: payload.quoted,
                                 payloadByteCount: payload.decodedCount, payloadHasEscapes: payload.hasEscapes)
    }

    /// The string a located value (the bytes between its quotes) stands for.
    private static func value(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, escaped: Bool) -> String? {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        return unescape(raw)
    }

    /// Resolves the escapes of a string value already checked by `stringExtent`.
    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
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
                guard bytes.count - index >= 4, let unit = Reader.hex4(bytes, at: index),
                      let scalar = Unicode.Scalar(unit), let encoded = UTF8.encode(scalar) else { return nil }
                index += 4
                out.append(contentsOf: encoded)
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cursor over a frame's bytes.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        /// A string value's bytes with their quotes, its length once unescaped, and whether it
        /// has escapes.
        struct StringExtent {
            var quoted: Range<Int>
            var decodedCount: Int
            var hasEscapes: Bool
        }

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

        /// A JSON string value, checked (escapes, UTF-8) but not decoded; nil on bad syntax,
        /// a surrogate escape or bytes that are not UTF-8.
        mutating func stringExtent() -> StringExtent? {
            let start = index
            guard take(UInt8(ascii: "\"")) else { return nil }
            var decoded = 0
            var escapes = false
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return StringExtent(quoted: start..<index, decodedCount: decoded, hasEscapes: escapes)
                case UInt8(ascii: "\\"):
                    escapes = true
                    guard index + 1 < bytes.count else { return nil }
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 2
                        decoded += 1
                    case UInt8(ascii: "u"):
                        guard bytes.count - index >= 6, let unit = Self.hex4(bytes, at: index + 2),
                              !(0xD800...0xDFFF).contains(unit) else { return nil }
                        index += 6
                        decoded += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3
                    default:
                        return nil
                    }
                case 0..<0x20:
                    return nil
                case 0x20..<0x80:
                    index += 1
                    decoded += 1
                default:
                    guard let length = utf8Sequence() else { return nil }
                    index += length
                    decoded += length
                }
            }
            return nil
        }

        /// The length of the well-formed UTF-8 sequence (RFC 3629) starting at a non-ASCII
        /// byte at `index`; nil when it is not one.
        private func utf8Sequence() -> Int? {
            let lead = bytes[index]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return nil
            }
            guard bytes.count - index >= length else { return nil }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return nil }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return nil }
            return length
        }

        /// Four hex digits at `at` (the caller checked they are in bounds).
        static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32? {
            var value: UInt32 = 0
            for index in start..<(start + 4) {
                let byte = bytes[index]
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
