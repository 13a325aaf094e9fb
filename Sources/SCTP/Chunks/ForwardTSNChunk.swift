import WireKit

/// A FORWARD TSN chunk (RFC 3758 §3.2): moves the peer's cumulative TSN past abandoned data.
public struct ForwardTSNChunk: Sendable, Equatable {
    /// One ordered stream whose sequence numbers up to `ssn` were skipped.
    public struct SkippedStream: Sendable, Equatable {
        /// Stream identifier.
        public var streamID: UInt16
        /// Largest skipped stream sequence number.
        public var ssn: UInt16
        /// Creates an entry.
        public init(streamID: UInt16, ssn: UInt16) { self.streamID = streamID; self.ssn = ssn }
    }

    /// The new cumulative TSN the receiver should assume.
    public var newCumulativeTSN: UInt32
    /// Ordered streams affected by the skip.
    public var streams: [SkippedStream]

    /// Creates a FORWARD TSN.
    public init(newCumulativeTSN: UInt32, streams: [SkippedStream]) {
        self.newCumulativeTSN = newCumulativeTSN; self.streams = streams
    }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> ForwardTSNChunk {
        try SCTPParseError.wrap { () throws(WireParseError) in
            let cum = try value.readUInt32()
            var streams = [SkippedStream]()
            while value.remaining >= 4 {
                streams.append(SkippedStream(streamID: try value.readUInt16(), ssn: try value.readUInt16()))
            }
            return ForwardTSNChunk(newCumulativeTSN: cum, streams: streams)
        }
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        w.writeUInt8(ChunkType.forwardTSN)
        w.writeUInt8(0)
        w.writeUInt16(UInt16(truncatingIfNeeded: 8 + 4 * streams.count))
        w.writeUInt32(newCumulativeTSN)
        for s in streams { w.writeUInt16(s.streamID); w.writeUInt16(s.ssn) }
    }
}
