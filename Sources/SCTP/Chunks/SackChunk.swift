import WireKit

/// A SACK chunk (RFC 9260 §3.3.4): cumulative ack, receive window, gap blocks, duplicates.
public struct SackChunk: Sendable, Equatable {
    /// One gap-ack block, as offsets from the cumulative TSN ack (inclusive).
    public struct GapBlock: Sendable, Equatable {
        /// First TSN offset acknowledged by this block.
        public var start: UInt16
        /// Last TSN offset acknowledged by this block.
        public var end: UInt16
        /// Creates a block.
        public init(start: UInt16, end: UInt16) { self.start = start; self.end = end }
    }

    /// Highest TSN received in sequence.
    public var cumulativeTSNAck: UInt32
    /// Advertised receiver window credit, in bytes.
    public var advertisedReceiverWindow: UInt32
    /// Gap-ack blocks, in increasing order.
    public var gapBlocks: [GapBlock]
    /// TSNs received more than once since the last SACK.
    public var duplicateTSNs: [UInt32]

    /// Creates a SACK.
    public init(cumulativeTSNAck: UInt32, advertisedReceiverWindow: UInt32, gapBlocks: [GapBlock] = [], duplicateTSNs: [UInt32] = []) {
        self.cumulativeTSNAck = cumulativeTSNAck
        self.advertisedReceiverWindow = advertisedReceiverWindow
        self.gapBlocks = gapBlocks
        self.duplicateTSNs = duplicateTSNs
    }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> SackChunk {
        try SCTPParseError.wrap { () throws(WireParseError) in
            let cum = try value.readUInt32()
            let rwnd = try value.readUInt32()
            let gaps = Int(try value.readUInt16())
            let dups = Int(try value.readUInt16())
            guard value.remaining >= gaps * 4 + dups * 4 else {
                throw .malformed("SACK announces \(gaps) gaps and \(dups) duplicates beyond its length")
            }
            // reserveCapacity on an empty array allocates even for 0: only when there is something.
            var blocks = [GapBlock]()
            if gaps > 0 { blocks.reserveCapacity(gaps) }
            for _ in 0..<gaps { blocks.append(GapBlock(start: try value.readUInt16(), end: try value.readUInt16())) }
            var dupTSNs = [UInt32]()
            if dups > 0 { dupTSNs.reserveCapacity(dups) }
            for _ in 0..<dups { dupTSNs.append(try value.readUInt32()) }
            return SackChunk(cumulativeTSNAck: cum, advertisedReceiverWindow: rwnd, gapBlocks: blocks, duplicateTSNs: dupTSNs)
        }
    }

    /// Size of the encoded chunk.
    public var encodedSize: Int { 16 + 4 * gapBlocks.count + 4 * duplicateTSNs.count }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        // The fixed 16 bytes in one store (a SACK goes out for every second packet).
        var header = ((UInt32(ChunkType.sack) << 24 | UInt32(encodedSize & 0xFFFF)).bigEndian, cumulativeTSNAck.bigEndian,
                      advertisedReceiverWindow.bigEndian,
                      (UInt32(gapBlocks.count & 0xFFFF) << 16 | UInt32(duplicateTSNs.count & 0xFFFF)).bigEndian)
        withUnsafeBytes(of: &header) { w.bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
        for b in gapBlocks { w.writeUInt16(b.start); w.writeUInt16(b.end) }
        for d in duplicateTSNs { w.writeUInt32(d) }
    }
}
