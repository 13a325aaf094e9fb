import WireKit

/// A stream re-configuration parameter (RFC 6525 §4) inside a RE-CONFIG chunk.
public enum ReconfigParameter: Sendable, Equatable {
    /// Outgoing SSN Reset Request (13): the sender resets its outgoing `streams` (all when empty)
    /// after `lastAssignedTSN`.
    case outgoingResetRequest(requestSequence: UInt32, responseSequence: UInt32, lastAssignedTSN: UInt32, streams: [UInt16])
    /// Incoming SSN Reset Request (14): the sender asks the peer to reset its outgoing streams.
    case incomingResetRequest(requestSequence: UInt32, streams: [UInt16])
    /// Re-configuration Response (16).
    case response(responseSequence: UInt32, result: UInt32)
    /// Any other parameter (SSN/TSN reset, add streams): refused with "denied".
    case other(type: UInt16, requestSequence: UInt32?)

    /// Result code "Success - Performed" (1).
    public static let resultSuccess: UInt32 = 1
    /// Result code "Denied" (2).
    public static let resultDenied: UInt32 = 2
    /// Result code "Error - Bad Sequence Number" (5).
    public static let resultBadSequence: UInt32 = 5
    /// Result code "In progress" (6).
    public static let resultInProgress: UInt32 = 6

    static func parse(type: UInt16, body: inout ByteReader) throws(WireParseError) -> ReconfigParameter {
        switch type {
        case 13:
            let req = try body.readUInt32(), resp = try body.readUInt32(), last = try body.readUInt32()
            var streams = [UInt16]()
            while body.remaining >= 2 { streams.append(try body.readUInt16()) }
            return .outgoingResetRequest(requestSequence: req, responseSequence: resp, lastAssignedTSN: last, streams: streams)
        case 14:
            let req = try body.readUInt32()
            var streams = [UInt16]()
            while body.remaining >= 2 { streams.append(try body.readUInt16()) }
            return .incomingResetRequest(requestSequence: req, streams: streams)
        case 16:
            let resp = try body.readUInt32(), result = try body.readUInt32()
            return .response(responseSequence: resp, result: result)
        default:
            return .other(type: type, requestSequence: body.remaining >= 4 ? try body.readUInt32() : nil)
        }
    }

    func write(into w: inout ByteWriter) {
        switch self {
        case .outgoingResetRequest(let req, let resp, let last, let streams):
            w.writeUInt16(13); w.writeUInt16(UInt16(truncatingIfNeeded: 16 + 2 * streams.count))
            w.writeUInt32(req); w.writeUInt32(resp); w.writeUInt32(last)
            for s in streams { w.writeUInt16(s) }
        case .incomingResetRequest(let req, let streams):
            w.writeUInt16(14); w.writeUInt16(UInt16(truncatingIfNeeded: 8 + 2 * streams.count))
            w.writeUInt32(req)
            for s in streams { w.writeUInt16(s) }
        case .response(let resp, let result):
            w.writeUInt16(16); w.writeUInt16(12); w.writeUInt32(resp); w.writeUInt32(result)
        case .other(let type, let req):
            w.writeUInt16(type); w.writeUInt16(req == nil ? 4 : 8)
            if let req { w.writeUInt32(req) }
        }
        w.pad(to: 4)
    }
}
