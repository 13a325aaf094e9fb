import WireKit

/// A RE-CONFIG chunk (RFC 6525 §3.1) holding one or two re-configuration parameters.
public struct ReconfigChunk: Sendable, Equatable {
    /// The parameters, in order.
    public var parameters: [ReconfigParameter]

    /// Creates a RE-CONFIG chunk.
    public init(parameters: [ReconfigParameter]) { self.parameters = parameters }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> ReconfigChunk {
        try SCTPParseError.wrap { () throws(WireParseError) in
            var params = [ReconfigParameter]()
            while value.remaining >= 4 {
                let type = try value.readUInt16()
                let length = Int(try value.readUInt16())
                guard length >= 4 else { throw .malformed("RE-CONFIG parameter length \(length)") }
                var body = try value.readReader(count: length - 4)
                try value.skip(min(value.remaining, (4 - length % 4) % 4))
                params.append(try ReconfigParameter.parse(type: type, body: &body))
            }
            guard !params.isEmpty, params.count <= 2 else { throw .malformed("RE-CONFIG with \(params.count) parameters") }
            return ReconfigChunk(parameters: params)
        }
    }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        let start = w.count
        w.writeUInt8(ChunkType.reconfig)
        w.writeUInt8(0)
        w.writeUInt16(0)
        for p in parameters { p.write(into: &w) }
        w.setUInt16(UInt16(truncatingIfNeeded: w.count - start), at: start + 2)
    }
}
