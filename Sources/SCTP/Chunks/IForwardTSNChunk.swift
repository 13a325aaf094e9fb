import WireKit

/// An I-FORWARD-TSN chunk (RFC 8260 §2.3): FORWARD TSN for associations using I-DATA. Each
/// entry names a stream, whether the skipped messages were unordered, and the largest skipped
/// Message Identifier.
public struct IForwardTSNChunk: Sendable, Equatable {
    /// One (stream, ordered/unordered) sequence whose messages up to `mid` were abandoned.
    public struct Skipped: Sendable, Equatable {
        /// Stream identifier.
        public var streamID: UInt16
        /// True for the unordered message sequence of the stream.
        public var unordered: Bool
        /// Largest skipped message identifier.
        public var mid: UInt32
        /// Creates an entry.
        public init(streamID: UInt16, unordered: Bool, mid: UInt32) {
            self.streamID = streamID; self.unordered = unordered; self.mid = mid
        }
    }

    /// The new cumulative TSN the receiver should assume.
    public var newCumulativeTSN: UInt32
    /// The skipped messages.
    public var skipped: [Skipped]

    /// Creates an I-FORWARD-TSN.
    public init(newCumulativeTSN: UInt32, skipped: [Skipped]) {
        self.newCumulativeTSN = newCumulativeTSN; self.skipped = skipped
    }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> IForwardTSNChunk {
        try SCTPParseError.wrap { () throws(WireParseError) in
            let cum = try value.readUInt32()
            var skipped = [Skipped]()
            while value.remaining >= 8 {
                let sid = try value.readUInt16(), flags = try value.readUInt16(), mid = try value.readUInt32()
                skipped.append(Skipped(streamID: sid, unordered: flags & 1 != 0, mid: mid))
            }
            return IForwardTSNChunk(newCumulativeTSN: cum, skipped: skipped)
        }
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        w.writeUInt8(ChunkType.iForwardTSN)
        w.writeUInt8(0)
        w.writeUInt16(UInt16(truncatingIfNeeded: 8 + 8 * skipped.count))
        w.writeUInt32(newCumulativeTSN)
        for s in skipped {
            w.writeUInt16(s.streamID)
            w.writeUInt16(s.unordered ? 1 : 0)
            w.writeUInt32(s.mid)
        }
    }
}
