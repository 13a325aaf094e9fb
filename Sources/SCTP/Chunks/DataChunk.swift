import WireKit

/// A DATA chunk (RFC 9260 §3.3.1): one fragment of a user message.
///
/// The payload is a slice of the received packet (no copy on parse).
public struct DataChunk: Sendable, Equatable {
    /// Transmission sequence number.
    public var tsn: UInt32
    /// Stream identifier.
    public var streamID: UInt16
    /// Stream sequence number (meaningless for unordered chunks).
    public var ssn: UInt16
    /// Payload protocol identifier.
    public var ppid: UInt32
    /// U bit: deliver without regard to stream order.
    public var unordered: Bool
    /// B bit: first fragment of a message.
    public var beginning: Bool
    /// E bit: last fragment of a message.
    public var ending: Bool
    /// I bit: the sender asks for an immediate SACK.
    public var immediate: Bool
    /// The user data fragment.
    public var payload: ArraySlice<UInt8>

    /// Size of the DATA chunk header (type, flags, length and the 12 fixed bytes).
    public static let headerSize = 16

    /// Creates a DATA chunk.
    public init(tsn: UInt32, streamID: UInt16, ssn: UInt16, ppid: UInt32, unordered: Bool = false,
                beginning: Bool = true, ending: Bool = true, immediate: Bool = false, payload: ArraySlice<UInt8>) {
        self.tsn = tsn; self.streamID = streamID; self.ssn = ssn; self.ppid = ppid
        self.unordered = unordered; self.beginning = beginning; self.ending = ending
        self.immediate = immediate; self.payload = payload
    }

    /// The chunk flags byte.
    public var flags: UInt8 {
        (immediate ? 0x08 : 0) | (unordered ? 0x04 : 0) | (beginning ? 0x02 : 0) | (ending ? 0x01 : 0)
    }

    /// Parses the chunk value (after the 4-byte chunk header).
    static func parse(flags: UInt8, value: inout ByteReader) throws(SCTPParseError) -> DataChunk {
        let (tsn, sid, ssn, ppid) = try SCTPParseError.wrap { () throws(WireParseError) in
            (try value.readUInt32(), try value.readUInt16(), try value.readUInt16(), try value.readUInt32())
        }
        guard value.remaining > 0 else { throw .malformed("DATA chunk without user data") }
        let payload = try SCTPParseError.wrap { () throws(WireParseError) in try value.readSlice(value.remaining) }
        return DataChunk(tsn: tsn, streamID: sid, ssn: ssn, ppid: ppid, unordered: flags & 0x04 != 0,
                         beginning: flags & 0x02 != 0, ending: flags & 0x01 != 0, immediate: flags & 0x08 != 0,
                         payload: payload)
    }

    /// Appends the whole chunk (header, value, padding).
    public func write(into w: inout ByteWriter) {
        DataChunk.writeHeader(tsn: tsn, streamID: streamID, ssn: ssn, ppid: ppid, flags: flags, payloadCount: payload.count, into: &w)
        w.writeBytes(payload)
        w.writeZeros((4 - payload.count & 3) & 3)
    }

    /// Appends the 16-byte header of a DATA chunk of `payloadCount` bytes of user data built
    /// from its fields, in one memcpy; the send path leaves the user data (and its padding)
    /// to ``SCTPOutgoingPacket``, which writes it into the packet's final buffer.
    @inlinable static func writeHeader(tsn: UInt32, streamID: UInt16, ssn: UInt16, ppid: UInt32, flags: UInt8,
                                       payloadCount: Int, into w: inout ByteWriter) {
        let length = UInt32(truncatingIfNeeded: headerSize + payloadCount)
        var header = ((UInt32(ChunkType.data) << 24 | UInt32(flags) << 16 | (length & 0xFFFF)).bigEndian,
                      tsn.bigEndian, (UInt32(streamID) << 16 | UInt32(ssn)).bigEndian, ppid.bigEndian)
        withUnsafeBytes(of: &header) { w.bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
    }
}
