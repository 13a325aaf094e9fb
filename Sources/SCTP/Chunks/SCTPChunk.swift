import WireKit

/// Any chunk of an SCTP packet, parsed.
public enum SCTPChunk: Sendable, Equatable {
    /// A DATA chunk.
    case data(DataChunk)
    /// An INIT chunk.
    case initiation(InitChunk)
    /// An INIT ACK chunk.
    case initiationAck(InitChunk)
    /// A SACK chunk.
    case sack(SackChunk)
    /// A HEARTBEAT chunk.
    case heartbeat(HeartbeatChunk)
    /// A HEARTBEAT ACK chunk.
    case heartbeatAck(HeartbeatChunk)
    /// An ABORT chunk.
    case abort(AbortChunk)
    /// A SHUTDOWN chunk.
    case shutdown(ShutdownChunk)
    /// A SHUTDOWN ACK chunk.
    case shutdownAck
    /// An ERROR chunk.
    case error(ErrorChunk)
    /// A COOKIE ECHO chunk.
    case cookieEcho(CookieEchoChunk)
    /// A COOKIE ACK chunk.
    case cookieAck
    /// SHUTDOWN COMPLETE; the flag is the T bit (tag reflected).
    case shutdownComplete(tagReflected: Bool)
    /// A RE-CONFIG chunk (RFC 6525).
    case reconfig(ReconfigChunk)
    /// A FORWARD TSN chunk (RFC 3758).
    case forwardTSN(ForwardTSNChunk)
    /// An I-DATA chunk (RFC 8260).
    case iData(IDataChunk)
    /// An I-FORWARD-TSN chunk (RFC 8260).
    case iForwardTSN(IForwardTSNChunk)
    /// A chunk type this implementation does not process; `raw` is the whole chunk.
    case unknown(type: UInt8, raw: [UInt8])

    /// Parses one chunk from `reader` (positioned at a chunk header), consuming its padding.
    public static func parse(_ reader: inout ByteReader) throws(SCTPParseError) -> SCTPChunk {
        let (type, flags, length) = try SCTPParseError.wrap { () throws(WireParseError) in
            (try reader.readUInt8(), try reader.readUInt8(), Int(try reader.readUInt16()))
        }
        guard length >= 4 else { throw .badLength("chunk type \(type) length \(length)") }
        guard reader.remaining >= length - 4 else { throw .badLength("chunk type \(type) length \(length) past end") }
        var value = try SCTPParseError.wrap { () throws(WireParseError) in try reader.readReader(count: length - 4) }
        let padding = min(reader.remaining, (4 - length % 4) % 4)
        try SCTPParseError.wrap { () throws(WireParseError) in try reader.skip(padding) }
        switch type {
        case ChunkType.data: return .data(try DataChunk.parse(flags: flags, value: &value))
        case ChunkType.initiation: return .initiation(try InitChunk.parse(value: &value))
        case ChunkType.initiationAck: return .initiationAck(try InitChunk.parse(value: &value))
        case ChunkType.sack: return .sack(try SackChunk.parse(value: &value))
        case ChunkType.heartbeat: return .heartbeat(try HeartbeatChunk.parse(value: &value))
        case ChunkType.heartbeatAck: return .heartbeatAck(try HeartbeatChunk.parse(value: &value))
        case ChunkType.abort: return .abort(try AbortChunk.parse(flags: flags, value: &value))
        case ChunkType.shutdown: return .shutdown(try ShutdownChunk.parse(value: &value))
        case ChunkType.shutdownAck: return .shutdownAck
        case ChunkType.error: return .error(try ErrorChunk.parse(value: &value))
        case ChunkType.cookieEcho: return .cookieEcho(CookieEchoChunk.parse(value: &value))
        case ChunkType.cookieAck: return .cookieAck
        case ChunkType.shutdownComplete: return .shutdownComplete(tagReflected: flags & 1 != 0)
        case ChunkType.reconfig: return .reconfig(try ReconfigChunk.parse(value: &value))
        case ChunkType.forwardTSN: return .forwardTSN(try ForwardTSNChunk.parse(value: &value))
        case ChunkType.iData: return .iData(try IDataChunk.parse(flags: flags, value: &value))
        case ChunkType.iForwardTSN: return .iForwardTSN(try IForwardTSNChunk.parse(value: &value))
        default:
            var raw: [UInt8] = [type, flags, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            raw.append(contentsOf: value.readRemainingBytes())
            return .unknown(type: type, raw: raw)
        }
    }

    /// Appends the chunk.
    public func write(into w: inout ByteWriter) {
        switch self {
        case .data(let c): c.write(into: &w)
        case .initiation(let c): c.write(type: ChunkType.initiation, into: &w)
        case .initiationAck(let c): c.write(type: ChunkType.initiationAck, into: &w)
        case .sack(let c): c.write(into: &w)
        case .heartbeat(let c): c.write(type: ChunkType.heartbeat, into: &w)
        case .heartbeatAck(let c): c.write(type: ChunkType.heartbeatAck, into: &w)
        case .abort(let c): c.write(into: &w)
        case .shutdown(let c): c.write(into: &w)
        case .shutdownAck: w.writeUInt8(ChunkType.shutdownAck); w.writeUInt8(0); w.writeUInt16(4)
        case .error(let c): c.write(into: &w)
        case .cookieEcho(let c): c.write(into: &w)
        case .cookieAck: w.writeUInt8(ChunkType.cookieAck); w.writeUInt8(0); w.writeUInt16(4)
        case .shutdownComplete(let t): w.writeUInt8(ChunkType.shutdownComplete); w.writeUInt8(t ? 1 : 0); w.writeUInt16(4)
        case .reconfig(let c): c.write(into: &w)
        case .forwardTSN(let c): c.write(into: &w)
        case .iData(let c): c.write(into: &w)
        case .iForwardTSN(let c): c.write(into: &w)
        case .unknown(_, let raw): w.writeBytes(raw); w.pad(to: 4)
        }
    }
}
