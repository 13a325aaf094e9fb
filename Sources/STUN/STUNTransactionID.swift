import WireKit

/// The 96-bit transaction ID of a STUN message (RFC 8489 §5).
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// The 12 bytes.
    public let bytes: [UInt8]

    /// Wraps 12 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self.bytes = bytes
    }

    /// A fresh ID drawn from `random` (seeded in tests, system-seeded by drivers).
    public static func random<R: RandomNumberGenerator>(using random: inout R) -> STUNTransactionID {
        var b = [UInt8]()
        b.reserveCapacity(12)
        for _ in 0..<3 {
            let v = UInt32.random(in: .min ... .max, using: &random)
            b.append(UInt8(truncatingIfNeeded: v >> 24)); b.append(UInt8(truncatingIfNeeded: v >> 16))
            b.append(UInt8(truncatingIfNeeded: v >> 8)); b.append(UInt8(truncatingIfNeeded: v))
        }
        return STUNTransactionID(uncheckedBytes: b)
    }

    init(uncheckedBytes: [UInt8]) { bytes = uncheckedBytes }

    public var description: String { bytes.map { String($0, radix: 16).leftPadded(2) }.joined() }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
