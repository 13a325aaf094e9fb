import WireKit

/// An ABORT chunk (RFC 9260 §3.3.7): closes the association at once, with causes.
public struct AbortChunk: Sendable, Equatable {
    /// T bit: the verification tag is reflected (the sender had no TCB).
    public var tagReflected: Bool
    /// Why the association was aborted.
    public var causes: [ErrorCause]

    /// Creates an ABORT.
    public init(tagReflected: Bool = false, causes: [ErrorCause]) { self.tagReflected = tagReflected; self.causes = causes }

    static func parse(flags: UInt8, value: inout ByteReader) throws(SCTPParseError) -> AbortChunk {
        AbortChunk(tagReflected: flags & 1 != 0, causes: try ErrorCause.parseList(&value))
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        ErrorChunk.writeCauses(type: ChunkType.abort, flags: tagReflected ? 1 : 0, causes: causes, into: &w)
    }
}
