import WireKit

/// Serial number arithmetic for 32-bit TSNs and 16-bit SSNs (RFC 1982), as SCTP requires.
enum Serial {
    /// `a` comes before `b`.
    @inline(__always) static func lt(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    /// `a` comes before or equals `b`.
    @inline(__always) static func le(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) <= 0 }
    /// `a` comes before `b` (16-bit).
    @inline(__always) static func lt16(_ a: UInt16, _ b: UInt16) -> Bool { Int16(bitPattern: a &- b) < 0 }
    /// `a` comes before or equals `b` (16-bit).
    @inline(__always) static func le16(_ a: UInt16, _ b: UInt16) -> Bool { Int16(bitPattern: a &- b) <= 0 }
}


extension Instant {
    /// `self` plus `nanoseconds` (non-negative), without `Duration`'s 128-bit arithmetic:
    /// the hot path re-arms T3 on every SACK.
    @inline(__always) func adding(nanoseconds: Int64) -> Instant {
        let (sum, overflow) = self.nanoseconds.addingReportingOverflow(UInt64(max(0, nanoseconds)))
        return Instant(nanoseconds: overflow ? .max : sum)
    }
}
