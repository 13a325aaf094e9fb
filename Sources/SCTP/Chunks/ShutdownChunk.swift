import WireKit

/// A SHUTDOWN chunk (RFC 9260 §3.3.8): starts the graceful close and carries a cumulative ack.
public struct ShutdownChunk: Sendable, Equatable {
    /// The highest TSN the sender received in sequence.
    public var cumulativeTSNAck: UInt32

    /// Creates a SHUTDOWN.
    public init(cumulativeTSNAck: UInt32) { self.cumulativeTSNAck = cumulativeTSNAck }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> ShutdownChunk {
        ShutdownChunk(cumulativeTSNAck: try SCTPParseError.wrap { () throws(WireParseError) in try value.readUInt32() })
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        w.writeUInt8(ChunkType.shutdown)
        w.writeUInt8(0)
        w.writeUInt16(8)
        w.writeUInt32(cumulativeTSNAck)
    }
}
