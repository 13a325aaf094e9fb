import WireKit

/// One element of an RFC 8285 header extension: a local identifier and its value.
public struct RTPHeaderExtensionElement: Equatable, Sendable {
    /// The local identifier negotiated by `a=extmap` (1–14 one-byte, 1–255 two-byte).
    public var id: UInt8
    /// The element's value bytes.
    public var value: [UInt8]

    /// An element with identifier `id` carrying `value`.
    public init(id: UInt8, value: [UInt8]) {
        self.id = id
        self.value = value
    }
}

/// The header extension block of an RTP packet (RFC 3550 §5.3.1, RFC 8285).
public enum RTPHeaderExtension: Equatable, Sendable {
    /// RFC 8285 one-byte form (profile 0xBEDE): ids 1–14, values 1–16 bytes.
    case oneByte([RTPHeaderExtensionElement])
    /// RFC 8285 two-byte form (profile 0x100X): ids 1–255, values 0–255 bytes; `appBits` is X.
    case twoByte(appBits: UInt8, [RTPHeaderExtensionElement])
    /// Any other profile, kept as raw words.
    case raw(profile: UInt16, data: [UInt8])

    /// The elements of a one- or two-byte extension (empty for raw).
    public var elements: [RTPHeaderExtensionElement] {
        switch self {
        case .oneByte(let e), .twoByte(_, let e): return e
        case .raw: return []
        }
    }

    /// The value of element `id`, if present.
    public func value(id: UInt8) -> [UInt8]? {
        elements.first { $0.id == id }?.value
    }

    /// A one-byte extension when every element fits it, else a two-byte one.
    public static func best(for elements: [RTPHeaderExtensionElement]) -> RTPHeaderExtension {
        let fitsOneByte = elements.allSatisfy { (1...14).contains($0.id) && (1...16).contains($0.value.count) }
        return fitsOneByte ? .oneByte(elements) : .twoByte(appBits: 0, elements)
    }

    static func parse(profile: UInt16, data: [UInt8]) throws(RTPParseError) -> RTPHeaderExtension {
        if profile == 0xBEDE {
            var out: [RTPHeaderExtensionElement] = []
            var i = 0
            while i < data.count {
                let b = data[i]
                let id = b >> 4
                if id == 0 { i += 1; continue } // padding (ID 0 is reserved for it, RFC 8285 §4.2)
                if id == 15 { break } // reserved: stop processing (RFC 8285 §4.2)
                let len = Int(b & 0x0F) + 1
                guard i + 1 + len <= data.count else { throw .badHeaderExtension("one-byte element overruns block") }
                out.append(RTPHeaderExtensionElement(id: id, value: Array(data[(i + 1)..<(i + 1 + len)])))
                i += 1 + len
            }
            return .oneByte(out)
        }
        if profile & 0xFFF0 == 0x1000 {
            var out: [RTPHeaderExtensionElement] = []
            var i = 0
            while i < data.count {
                let id = data[i]
                if id == 0 { i += 1; continue }
                guard i + 1 < data.count else { throw .badHeaderExtension("two-byte element without length") }
                let len = Int(data[i + 1])
                guard i + 2 + len <= data.count else { throw .badHeaderExtension("two-byte element overruns block") }
                out.append(RTPHeaderExtensionElement(id: id, value: Array(data[(i + 2)..<(i + 2 + len)])))
                i += 2 + len
            }
            return .twoByte(appBits: UInt8(profile & 0x0F), out)
        }
        return .raw(profile: profile, data: data)
    }

    /// The profile word and the padded data block.
    func encoded() -> (profile: UInt16, data: [UInt8]) {
        var w = ByteWriter(capacity: 32)
        let profile: UInt16
        switch self {
        case .oneByte(let elements):
            profile = 0xBEDE
            for e in elements {
                precondition((1...14).contains(e.id) && (1...16).contains(e.value.count), "one-byte extension element out of range")
                w.writeUInt8(e.id << 4 | UInt8(e.value.count - 1))
                w.writeBytes(e.value)
            }
        case .twoByte(let appBits, let elements):
            profile = 0x1000 | UInt16(appBits & 0x0F)
            for e in elements {
                precondition(e.id != 0 && e.value.count <= 255, "two-byte extension element out of range")
                w.writeUInt8(e.id)
                w.writeUInt8(UInt8(e.value.count))
                w.writeBytes(e.value)
            }
        case .raw(let p, let data):
            profile = p
            w.writeBytes(data)
        }
        w.pad(to: 4)
        return (profile, w.bytes)
    }
}
