/// The anti-replay window of one receiving epoch (RFC 6347 §4.1.2.6): a sliding bitmap of the
/// 64 sequence numbers up to the highest one received.
///
/// A record is checked with ``isFresh(_:)`` before it is decrypted and recorded with
/// ``markReceived(_:)`` only once it authenticated, so forged records cannot move the window.
struct DTLSReplayWindow {
    /// How many sequence numbers below the highest one the window remembers.
    static let size: UInt64 = 64

    /// The highest sequence number received (meaningless while `isEmpty`).
    private(set) var highest: UInt64 = 0
    /// Bit i set: `highest - i` was received.
    private var bitmap: UInt64 = 0
    /// True until the first record is marked.
    private(set) var isEmpty = true

    /// Whether `sequence` was not received yet and is not too old for the window.
    func isFresh(_ sequence: UInt64) -> Bool {
        if isEmpty || sequence > highest { return true }
        let age = highest - sequence
        guard age < Self.size else { return false }
        return bitmap & (1 << age) == 0
    }

    /// Records `sequence` as received (it authenticated), sliding the window forward if needed.
    mutating func markReceived(_ sequence: UInt64) {
        if isEmpty {
            isEmpty = false
            highest = sequence
            bitmap = 1
            return
        }
        if sequence > highest {
            let shift = sequence - highest
            bitmap = shift >= Self.size ? 1 : (bitmap << shift) | 1
            highest = sequence
        } else {
            let age = highest - sequence
            if age < Self.size { bitmap |= 1 << age }
        }
    }
}
