import WireKit

/// An SCTP packet (RFC 9260 §3.1): common header plus chunks, CRC-32C protected.
public struct SCTPPacket: Sendable, Equatable {
    /// Source port.
    public var sourcePort: UInt16
    /// Destination port.
    public var destinationPort: UInt16
    /// Verification tag.
    public var verificationTag: UInt32
    /// The chunks, in order.
    public var chunks: [SCTPChunk]

    /// Size of the common header.
    public static let headerSize = 12

    /// Creates a packet.
    public init(sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32, chunks: [SCTPChunk]) {
        self.sourcePort = sourcePort; self.destinationPort = destinationPort
        self.verificationTag = verificationTag; self.chunks = chunks
    }

    /// Parses and checksum-verifies a packet. Throws on any malformation; never traps.
    public static func parse(_ bytes: [UInt8]) throws(SCTPParseError) -> SCTPPacket {
        var chunks = [SCTPChunk]()
        let (src, dst, tag) = try parse(bytes, chunks: &chunks)
        return SCTPPacket(sourcePort: src, destinationPort: dst, verificationTag: tag, chunks: chunks)
    }

    /// Like ``parse(_:)``, appending the chunks to `chunks` (so a caller can reuse its
    /// buffer) and returning the ports and verification tag. `acceptingZeroChecksum`: a zero
    /// checksum field passes unchecked (RFC 9653, for an endpoint that announced it).
    public static func parse(_ bytes: [UInt8], chunks: inout [SCTPChunk], acceptingZeroChecksum: Bool = false) throws(SCTPParseError)
        -> (sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32) {
        guard bytes.count >= headerSize else { throw .tooShort(bytes.count) }
        let received = UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24
        if !(acceptingZeroChecksum && received == 0) {
            let computed = checksum(bytes)
            guard computed == received else { throw .badChecksum(expected: computed, received: received) }
        }
        var reader = ByteReader(bytes)
        let (src, dst, tag) = try SCTPParseError.wrap { () throws(WireParseError) in
            let s = try reader.readUInt16(), d = try reader.readUInt16(), t = try reader.readUInt32()
            try reader.skip(4)
            return (s, d, t)
        }
        let first = chunks.count
        while reader.remaining >= 4 {
            chunks.append(try SCTPChunk.parse(&reader))
        }
        guard chunks.count > first else { throw .malformed("packet without chunks") }
        return (src, dst, tag)
    }

    /// The CRC-32C of `bytes` with the checksum field taken as zero (no copy).
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.sctpChecksum($0) }
    }

    /// Writes the common header into an empty writer (checksum zero, patched by ``seal(_:)``).
    public static func writeHeader(sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32, into w: inout ByteWriter) {
        var header = ((UInt32(sourcePort) << 16 | UInt32(destinationPort)).bigEndian, verificationTag.bigEndian, UInt32(0))
        withUnsafeBytes(of: &header) { w.bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Computes the CRC-32C of a finished packet and stores it (little-endian, as RFC 9260 appendix B).
    public static func seal(_ bytes: inout [UInt8]) {
        guard bytes.count >= headerSize else { preconditionFailure("sealing a packet without a header") }
        let crc = bytes.withUnsafeBytes { CRC32C.sctpChecksum($0) }
        bytes[8] = UInt8(truncatingIfNeeded: crc)
        bytes[9] = UInt8(truncatingIfNeeded: crc >> 8)
        bytes[10] = UInt8(truncatingIfNeeded: crc >> 16)
        bytes[11] = UInt8(truncatingIfNeeded: crc >> 24)
    }

    /// Serializes the packet with its checksum.
    public func serialize() -> [UInt8] {
        var w = ByteWriter(capacity: 1200)
        SCTPPacket.writeHeader(sourcePort: sourcePort, destinationPort: destinationPort, verificationTag: verificationTag, into: &w)
        for c in chunks { c.write(into: &w) }
        var bytes = w.take()
        SCTPPacket.seal(&bytes)
        return bytes
    }
}
