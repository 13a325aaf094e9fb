import RTP

/// An RFC 4733 telephone-event payload (§2.3): event code, end bit, volume, duration.
public struct TelephoneEvent: Equatable, Sendable {
    /// The event code (0–9 digits, 10 `*`, 11 `#`, 12–15 `A`–`D`).
    public var event: UInt8
    /// The last packet(s) of the event.
    public var isEnd: Bool
    /// Power level in −dBm0 (0–63).
    public var volume: UInt8
    /// Duration so far, in RTP timestamp units.
    public var duration: UInt16

    /// An event payload.
    public init(event: UInt8, isEnd: Bool, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Parses a 4-byte payload (extra bytes, e.g. redundancy, are ignored).
    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        guard bytes.count >= 4 else { throw .truncated(needed: 4, available: bytes.count) }
        event = bytes[0]
        isEnd = bytes[1] & 0x80 != 0
        volume = bytes[1] & 0x3F
        duration = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
    }

    /// The 4-byte payload.
    public func serialized() -> [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(truncatingIfNeeded: duration)]
    }

    /// The DTMF character for this event code, or nil for non-DTMF events.
    public var tone: Character? { Self.tone(forCode: event) }

    /// The event code for a DTMF character (`0-9 * # A-D`, case-insensitive).
    public static func code(for tone: Character) -> UInt8? {
        switch tone {
        case "0"..."9": return tone.asciiValue.map { $0 - 48 }
        case "*": return 10
        case "#": return 11
        case "A", "a": return 12
        case "B", "b": return 13
        case "C", "c": return 14
        case "D", "d": return 15
        default: return nil
        }
    }

    /// The DTMF character for an event code.
    public static func tone(forCode code: UInt8) -> Character? {
        let table: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "A", "B", "C", "D"]
        return code < 16 ? table[Int(code)] : nil
    }
}
