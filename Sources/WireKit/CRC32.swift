import CPlatform

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as STUN's FINGERPRINT uses it.
///
/// Slicing-by-8 table implementation.
public enum CRC32 {
    /// The CRC-32 of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var state = update(0xFFFF_FFFF, bytes)
        state ^= 0xFFFF_FFFF
        return state
    }

    /// Feeds `bytes` into a running (non-inverted) CRC state.
    public static func update<C: Collection>(_ state: UInt32, _ bytes: C) -> UInt32 where C.Element == UInt8 {
        if let fast = bytes.withContiguousStorageIfAvailable({ SlicingTable.update(state, UnsafeRawBufferPointer($0), table: tables) }) {
            return fast
        }
        return Array(bytes).withUnsafeBytes { SlicingTable.update(state, $0, table: tables) }
    }

    static let tables = SlicingTable.make(polynomial: 0xEDB8_8320)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as SCTP (RFC 9260 appendix B) uses it.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it (several GB/s), else slicing-by-8.
public enum CRC32C {
    /// The CRC-32C of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        update(0xFFFF_FFFF, bytes) ^ 0xFFFF_FFFF
    }

    /// The CRC-32C of raw memory.
    public static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        update(0xFFFF_FFFF, buffer) ^ 0xFFFF_FFFF
    }

    /// Feeds `bytes` into a running (non-inverted) CRC state.
    public static func update<C: Collection>(_ state: UInt32, _ bytes: C) -> UInt32 where C.Element == UInt8 {
        if let fast = bytes.withContiguousStorageIfAvailable({ update(state, UnsafeRawBufferPointer($0)) }) {
            return fast
        }
        return Array(bytes).withUnsafeBytes { update(state, $0) }
    }

    /// Feeds raw memory into a running (non-inverted) CRC state.
    public static func update(_ state: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        if hardware, let base = buffer.baseAddress {
            return cplatform_crc32c_hw(state, base, buffer.count)
        }
        return SlicingTable.update(state, buffer, table: tables)
    }

    /// The CRC-32C of an SCTP packet with its checksum field (bytes 8..<12) taken as zero, in one
    /// pass over the buffer (RFC 9260 §6.8); 0 when shorter than the 12-byte common header.
    public static func sctpChecksum(_ packet: UnsafeRawBufferPointer) -> UInt32 {
        guard packet.count >= 12, let base = packet.baseAddress else { return 0 }
        if hardware { return cplatform_crc32c_hw_sctp(base, packet.count) }
        var state = SlicingTable.update(0xFFFF_FFFF, UnsafeRawBufferPointer(rebasing: packet[0..<8]), table: tables)
        state = withUnsafeBytes(of: UInt32(0)) { SlicingTable.update(state, $0, table: tables) }
        return SlicingTable.update(state, UnsafeRawBufferPointer(rebasing: packet[12...]), table: tables) ^ 0xFFFF_FFFF
    }

    /// The software (slicing-by-8) path, exposed for tests and benchmarks.
    public static func softwareChecksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { SlicingTable.update(0xFFFF_FFFF, $0, table: tables) } ^ 0xFFFF_FFFF
    }

    /// True when the SSE4.2 instruction is used.
    public static let hardware: Bool = cplatform_has_crc32c_instruction() != 0

    static let tables = SlicingTable.make(polynomial: 0x82F6_3B78)
}

/// Eight 256-entry tables for slicing-by-8 CRC computation.
enum SlicingTable {
    static func make(polynomial: UInt32) -> [UInt32] {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }

    static func update(_ state: UInt32, _ buffer: UnsafeRawBufferPointer, table: [UInt32]) -> UInt32 {
        var crc = state
        var i = 0
        let n = buffer.count
        table.withUnsafeBufferPointer { t in
            while n - i >= 8 {
                let lo = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        return crc
    }
}
