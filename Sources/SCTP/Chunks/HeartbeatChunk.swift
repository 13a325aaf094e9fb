import WireKit

/// A HEARTBEAT or HEARTBEAT ACK chunk (RFC 9260 §3.3.5, §3.3.6) carrying opaque sender info.
public struct HeartbeatChunk: Sendable, Equatable {
    /// The Heartbeat Info parameter body, echoed back unchanged by the peer.
    public var info: [UInt8]

    /// Creates a heartbeat carrying `info`.
    public init(info: [UInt8]) { self.info = info }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> HeartbeatChunk {
        try SCTPParseError.wrap { () throws(WireParseError) in
            let type = try value.readUInt16()
            let length = Int(try value.readUInt16())
            guard type == 1, length >= 4 else { throw .malformed("HEARTBEAT without Heartbeat Info") }
            return HeartbeatChunk(info: try value.readBytes(length - 4))
        }
    }

    /// Appends the whole chunk as `type` (HEARTBEAT or HEARTBEAT ACK).
    public func write(type: UInt8, into w: inout ByteWriter) {
        w.writeUInt8(type)
        w.writeUInt8(0)
        w.writeUInt16(UInt16(truncatingIfNeeded: 8 + info.count))
        w.writeUInt16(1)
        w.writeUInt16(UInt16(truncatingIfNeeded: 4 + info.count))
        w.writeBytes(info)
        w.pad(to: 4)
    }
}
