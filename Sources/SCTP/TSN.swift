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
