import WireKit

/// An RTP packet (RFC 3550 §5.1): fixed header, CSRCs, optional header extension, payload, padding.
///
/// Parsing checks every length against the bytes present and throws ``RTPParseError``;
/// it never traps on hostile input.
public struct RTPPacket: Equatable, Sendable {
    /// The marker bit (start of a talkspurt for audio, last packet of a frame for video).
    public var marker: Bool
    /// The 7-bit payload type.
    public var payloadType: UInt8
    /// The 16-bit sequence number.
    public var sequenceNumber: UInt16
    /// The media timestamp in the payload's clock rate.
    public var timestamp: UInt32
    /// The synchronisation source.
    public var ssrc: UInt32
    /// Contributing sources (at most 15).
    public var csrcs: [UInt32]
    /// The header extension block, if any.
    public var headerExtension: RTPHeaderExtension?
    /// The payload bytes (without padding).
    public var payload: [UInt8]
    /// Number of padding bytes to append when serialising (0 = no padding, else 1–255).
    public var paddingLength: UInt8

    /// A packet with the given fields.
    public init(payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                marker: Bool = false, csrcs: [UInt32] = [], headerExtension: RTPHeaderExtension? = nil,
                payload: [UInt8], paddingLength: UInt8 = 0) {
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.marker = marker
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// Parses one RTP packet from `bytes`.
    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        var r = ByteReader(bytes)
        let b0 = try r.u8()
        let b1 = try r.u8()
        let version = b0 >> 6
        guard version == 2 else { throw .badVersion(version) }
        let hasPadding = b0 & 0x20 != 0
        let hasExtension = b0 & 0x10 != 0
        let csrcCount = Int(b0 & 0x0F)
        marker = b1 & 0x80 != 0
        payloadType = b1 & 0x7F
        sequenceNumber = try r.u16()
        timestamp = try r.u32()
        ssrc = try r.u32()
        var csrcs: [UInt32] = []
        for _ in 0..<csrcCount { csrcs.append(try r.u32()) }
        self.csrcs = csrcs
        if hasExtension {
            let profile = try r.u16()
            let words = try r.u16()
            let data = try r.bytes(Int(words) * 4)
            headerExtension = try RTPHeaderExtension.parse(profile: profile, data: data)
        } else {
            headerExtension = nil
        }
        var payloadEnd = bytes.count
        if hasPadding {
            guard let last = bytes.last, last > 0, Int(last) <= bytes.count - r.offset else {
                throw .badPadding(count: Int(bytes.last ?? 0))
            }
            paddingLength = last
            payloadEnd -= Int(last)
        } else {
            paddingLength = 0
        }
        payload = Array(bytes[r.offset..<payloadEnd])
    }

    /// Reads only the SSRC of an RTP packet (for routing before a full parse), or nil when too short.
    public static func peekSSRC(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= 12 else { return nil }
        return UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
    }

    /// The packet in wire format.
    public func serialized() -> [UInt8] {
        precondition(csrcs.count <= 15, "an RTP packet carries at most 15 CSRCs")
        var w = ByteWriter(capacity: 12 + 4 * csrcs.count + payload.count + 32)
        var b0: UInt8 = 0x80 | UInt8(csrcs.count)
        if paddingLength > 0 { b0 |= 0x20 }
        if headerExtension != nil { b0 |= 0x10 }
        w.writeUInt8(b0)
        w.writeUInt8((marker ? 0x80 : 0) | (payloadType & 0x7F))
        w.writeUInt16(sequenceNumber)
        w.writeUInt32(timestamp)
        w.writeUInt32(ssrc)
        for c in csrcs { w.writeUInt32(c) }
        if let ext = headerExtension {
            let (profile, data) = ext.encoded()
            precondition(data.count / 4 <= Int(UInt16.max), "header extension too long")
            w.writeUInt16(profile)
            w.writeUInt16(UInt16(data.count / 4))
            w.writeBytes(data)
        }
        w.writeBytes(payload)
        if paddingLength > 0 {
            w.writeZeros(Int(paddingLength) - 1)
            w.writeUInt8(paddingLength)
        }
        return w.bytes
    }
}
