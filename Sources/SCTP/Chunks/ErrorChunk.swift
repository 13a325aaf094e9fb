import WireKit

/// An ERROR chunk (RFC 9260 §3.3.10): reports conditions without closing the association.
public struct ErrorChunk: Sendable, Equatable {
    /// The reported causes.
    public var causes: [ErrorCause]

    /// Creates an ERROR chunk.
    public init(causes: [ErrorCause]) { self.causes = causes }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> ErrorChunk {
        ErrorChunk(causes: try ErrorCause.parseList(&value))
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        ErrorChunk.writeCauses(type: ChunkType.error, flags: 0, causes: causes, into: &w)
    }

    static func writeCauses(type: UInt8, flags: UInt8, causes: [ErrorCause], into w: inout ByteWriter) {
        let start = w.count
        w.writeUInt8(type)
        w.writeUInt8(flags)
        w.writeUInt16(0)
        for c in causes { c.write(into: &w) }
        w.setUInt16(UInt16(truncatingIfNeeded: w.count - start), at: start + 2)
    }
}
