/// The byte-level helpers of ``DTLSRecordProtection``: additional data, header fields and
/// big-endian sequence numbers.
extension DTLSRecordProtection {
    /// Calls `body` with a record's 13 bytes of additional data (RFC 6347 §4.1.2.1) whose length
    /// field holds `length`.
    static func withAdditionalData<R>(epochAndSequence: UInt64, type: UInt8, length: Int,
                                      _ body: (UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { scratch in
            guard let aad = scratch.baseAddress else { preconditionFailure("temporary allocation without storage") }
            storeBigEndian(epochAndSequence, at: aad)
            aad[8] = type
            aad[9] = 0xFE
            aad[10] = 0xFD
            aad[11] = UInt8(truncatingIfNeeded: length >> 8)
            aad[12] = UInt8(truncatingIfNeeded: length)
            return body(aad)
        }
    }

    /// Writes a DTLS 1.2 record header (RFC 6347 §4.1) at `base`: content `type`, epoch and
    /// sequence number, and the length of the body that follows.
    static func writeHeader(at base: UnsafeMutablePointer<UInt8>, type: UInt8, epochAndSequence: UInt64, bodyLength: Int) {
        base[0] = type
        base[1] = 0xFE
        base[2] = 0xFD
        storeBigEndian(epochAndSequence, at: base + 3)
        base[11] = UInt8(truncatingIfNeeded: bodyLength >> 8)
        base[12] = UInt8(truncatingIfNeeded: bodyLength)
    }

    /// The epoch of a record (header at least 13 bytes).
    static func epoch(of record: UnsafeRawBufferPointer) -> UInt16 {
        UInt16(record[3]) << 8 | UInt16(record[4])
    }

    /// The 48-bit sequence number of a record (header at least 13 bytes).
    static func sequence(of record: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for i in 5..<11 { value = value << 8 | UInt64(record[i]) }
        return value
    }

    static func loadBigEndian(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(pointer[i]) }
        return value
    }

    static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func storeBigEndian(_ value: UInt64, at pointer: UnsafeMutablePointer<UInt8>) {
        for i in 0..<8 { pointer[i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
    }
}
