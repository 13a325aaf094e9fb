import WireKit

/// An I-DATA chunk (RFC 8260 §2.1): one fragment of a user message, identified by stream,
/// Message Identifier (MID) and Fragment Sequence Number (FSN) instead of TSN order, so
/// fragments of messages on different streams may interleave.
///
/// The first fragment (B bit) carries the PPID and has FSN 0; later fragments carry their FSN.
/// The payload is a slice of the received packet (no copy on parse).
public struct IDataChunk: Sendable, Equatable {
    /// Transmission sequence number.
    public var tsn: UInt32
    /// Stream identifier.
    public var streamID: UInt16
    /// Message identifier: per stream, one sequence for ordered and one for unordered messages.
    public var mid: UInt32
    /// Payload protocol identifier (first fragment only; 0 on the others).
    public var ppid: UInt32
    /// Fragment sequence number (0 on the first fragment).
    public var fsn: UInt32
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

    /// Size of the I-DATA chunk header (type, flags, length and the 16 fixed bytes).
    public static let headerSize = 20

    /// Creates an I-DATA chunk.
    public init(tsn: UInt32, streamID: UInt16, mid: UInt32, ppid: UInt32 = 0, fsn: UInt32 = 0, unordered: Bool = false,
                beginning: Bool = true, ending: Bool = true, immediate: Bool = false, payload: ArraySlice<UInt8>) {
        self.tsn = tsn; self.streamID = streamID; self.mid = mid; self.ppid = ppid; self.fsn = fsn
        self.unordered = unordered; self.beginning = beginning; self.ending = ending
        self.immediate = immediate; self.payload = payload
    }

    /// The chunk flags byte.
    public var flags: UInt8 {
        (immediate ? 0x08 : 0) | (unordered ? 0x04 : 0) | (beginning ? 0x02 : 0) | (ending ? 0x01 : 0)
    }

    /// Parses the chunk value (after the 4-byte chunk header).
    static func parse(flags: UInt8, value: inout ByteReader) throws(SCTPParseError) -> IDataChunk {
        let (tsn, sid, mid, word) = try SCTPParseError.wrap { () throws(WireParseError) in
            let tsn = try value.readUInt32(), sid = try value.readUInt16()
            try value.skip(2)
            return (tsn, sid, try value.readUInt32(), try value.readUInt32())
        }
        guard value.remaining > 0 else { throw .malformed("I-DATA chunk without user data") }
        let payload = try SCTPParseError.wrap { () throws(WireParseError) in try value.readSlice(value.remaining) }
        let beginning = flags & 0x02 != 0
        return IDataChunk(tsn: tsn, streamID: sid, mid: mid, ppid: beginning ? word : 0, fsn: beginning ? 0 : word,
                          unordered: flags & 0x04 != 0, beginning: beginning, ending: flags & 0x01 != 0,
                          immediate: flags & 0x08 != 0, payload: payload)
    }

    /// Appends the whole chunk (header, value, padding).
    public func write(into w: inout ByteWriter) {
        IDataChunk.writeHeader(tsn: tsn, streamID: streamID, mid: mid, ppidOrFSN: beginning ? ppid : fsn, flags: flags,
                               payloadCount: payload.count, into: &w)
        w.writeBytes(payload)
        w.writeZeros((4 - payload.count & 3) & 3)
    }

    /// Appends the 20-byte header of an I-DATA chunk of `payloadCount` bytes of user data built
    /// from its fields; `ppidOrFSN` is the PPID when the B flag is set, the FSN otherwise. The
    /// send path leaves the user data (and its padding) to ``SCTPOutgoingPacket``.
    @inlinable static func writeHeader(tsn: UInt32, streamID: UInt16, mid: UInt32, ppidOrFSN: UInt32, flags: UInt8,
                                       payloadCount: Int, into w: inout ByteWriter) {
        let length = UInt32(truncatingIfNeeded: headerSize + payloadCount)
        var header = ((UInt32(ChunkType.iData) << 24 | UInt32(flags) << 16 | (length & 0xFFFF)).bigEndian,
                      tsn.bigEndian, (UInt32(streamID) << 16).bigEndian, mid.bigEndian, ppidOrFSN.bigEndian)
        withUnsafeBytes(of: &header) { w.bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
    }
}
