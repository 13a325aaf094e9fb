import WireKit

/// Tells the peer the sender is closing the stream, and why.
public struct Close: Hashable, Sendable {
    /// Human-readable reason (for logs; not parsed).
    public var reason: String
    /// A close message.
    public init(reason: String) { self.reason = reason }

    func encode(into w: inout ByteWriter) { w.writeString16(String(reason.utf8.prefix(FrameLimits.maxLabelBytes)) ?? "") }

    static func decode(from r: inout ByteReader) throws(SyncProtocolParseError) -> Close {
        Close(reason: try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "close reason"))
    }
}
