import RTP
import WireKit

/// Splits VP8 frames into RTP packets per RFC 7741 (90 kHz clock).
///
/// Each packet starts with a payload descriptor carrying a 15-bit PictureID (X=1, I=1, M=1);
/// the first packet of a frame has S=1 and PID=0; the last has the RTP marker bit.
public struct VP8Payloader: Sendable {
    /// The stream's SSRC.
    public let ssrc: UInt32
    /// The negotiated VP8 payload type (often 96).
    public let payloadType: UInt8
    /// Largest RTP payload (descriptor included).
    public var maxPayloadSize: Int
    /// The next sequence number.
    public private(set) var sequenceNumber: UInt16
    /// The current picture id (15 bits).
    public private(set) var pictureID: UInt16

    /// A payloader for `ssrc`.
    public init(ssrc: UInt32, payloadType: UInt8 = 96, sequenceNumber: UInt16, pictureID: UInt16 = 0, maxPayloadSize: Int = 1200) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.pictureID = pictureID & 0x7FFF
        self.maxPayloadSize = max(8, maxPayloadSize)
    }

    /// The packets carrying `frame` at RTP `timestamp`.
    public mutating func packetize(_ frame: [UInt8], timestamp: UInt32) -> [RTPPacket] {
        let descriptorSize = 4
        let chunk = maxPayloadSize - descriptorSize
        var out: [RTPPacket] = []
        var offset = 0
        repeat {
            let end = min(frame.count, offset + chunk)
            var payload: [UInt8] = [0x80 | (offset == 0 ? 0x10 : 0), 0x80,
                                    0x80 | UInt8(pictureID >> 8), UInt8(truncatingIfNeeded: pictureID)]
            payload += frame[offset..<end]
            out.append(RTPPacket(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc,
                                 marker: end == frame.count, payload: payload))
            sequenceNumber &+= 1
            offset = end
        } while offset < frame.count
        pictureID = (pictureID &+ 1) & 0x7FFF
        return out
    }
}

/// The VP8 payload descriptor (RFC 7741 §4.2) of one packet, and where the VP8 data starts.
public struct VP8PayloadDescriptor: Equatable, Sendable {
    /// Start of a VP8 partition.
    public var isStartOfPartition: Bool
    /// Partition index.
    public var partitionID: UInt8
    /// The picture id, if present.
    public var pictureID: UInt16?
    /// Offset of the VP8 payload in the RTP payload.
    public var headerSize: Int

    /// Parses the descriptor at the start of an RTP payload.
    public init(parsing p: [UInt8]) throws(RTPParseError) {
        var i = 0
        func next() throws(RTPParseError) -> UInt8 {
            guard i < p.count else { throw .truncated(needed: i + 1, available: p.count) }
            defer { i += 1 }
            return p[i]
        }
        let b0 = try next()
        isStartOfPartition = b0 & 0x10 != 0
        partitionID = b0 & 0x07
        pictureID = nil
        if b0 & 0x80 != 0 {
            let x = try next()
            if x & 0x80 != 0 { // I
                let m = try next()
                if m & 0x80 != 0 {
                    pictureID = UInt16(m & 0x7F) << 8 | UInt16(try next())
                } else {
                    pictureID = UInt16(m & 0x7F)
                }
            }
            if x & 0x40 != 0 { _ = try next() } // L: TL0PICIDX
            if x & 0x30 != 0 { _ = try next() } // T/K: TID/Y/KEYIDX
        }
        headerSize = i
        guard headerSize < p.count else { throw .malformed("VP8 packet without payload") }
    }
}

/// Reassembles VP8 frames from RTP packets (RFC 7741), asking for a keyframe when one is lost.
///
/// A frame is output when all packets from its first (S=1, PID=0) to its marker arrived with
/// consecutive sequence numbers. After a loss, inter frames are dropped until a keyframe, and
/// ``needsKeyframe`` tells the caller to send a PLI.
public struct VP8Depayloader: Sendable {
    private var pending: [UInt16: RTPPacket] = [:]
    private var pendingTimestamp: UInt32?
    private var lastCompleted: UInt16?
    /// True when a frame was lost and only a keyframe can resume decoding (send a PLI).
    public private(set) var needsKeyframe = false
    /// Frames dropped because packets were missing or decoding could not continue.
    public private(set) var framesDropped = 0
    /// Packets with malformed descriptors.
    public private(set) var malformedPackets = 0
    private var frames: [VP8EncodedFrame] = []

    /// An empty depayloader.
    public init() {}


    /// Takes in one received VP8 RTP packet.
    public mutating func insert(_ packet: RTPPacket) {
        guard (try? VP8PayloadDescriptor(parsing: packet.payload)) != nil else { malformedPackets += 1; return }
        if let ts = pendingTimestamp, ts != packet.timestamp {
            // A new frame began before the previous one completed: the previous one is lost.
            if Int32(bitPattern: packet.timestamp &- ts) < 0 { return } // a straggler of an older frame
            pending.removeAll()
            framesDropped += 1
            needsKeyframe = true
        }
        pendingTimestamp = packet.timestamp
        pending[packet.sequenceNumber] = packet
        guard pending.count <= 2048 else { pending.removeAll(); pendingTimestamp = nil; needsKeyframe = true; return }
        tryComplete()
    }

    /// The next complete frame.
    public mutating func pollFrame() -> VP8EncodedFrame? { frames.isEmpty ? nil : frames.removeFirst() }

    private mutating func tryComplete() {
        guard let last = pending.values.first(where: { $0.marker }) else { return }
        guard let first = pending.values.first(where: { p in
            guard let d = try? VP8PayloadDescriptor(parsing: p.payload) else { return false }
            return d.isStartOfPartition && d.partitionID == 0
        }) else { return }
        let count = Int(last.sequenceNumber &- first.sequenceNumber) + 1
        guard count == pending.count else { return }
        var data: [UInt8] = []
        var seq = first.sequenceNumber
        for _ in 0..<count {
            guard let p = pending[seq], let d = try? VP8PayloadDescriptor(parsing: p.payload) else { return }
            data += p.payload[d.headerSize...]
            seq &+= 1
        }
        pending.removeAll()
        pendingTimestamp = nil
        // RFC 7741 §4.3: the P bit of the first byte of the VP8 frame header is 0 on keyframes.
        let isKey = (data.first ?? 1) & 0x01 == 0
        if let prev = lastCompleted, first.sequenceNumber != prev &+ 1, !isKey {
            needsKeyframe = true
        }
        if lastCompleted == nil, !isKey {
            needsKeyframe = true  // the stream's first keyframe was lost: nothing decodes before one
        }
        lastCompleted = last.sequenceNumber
        if isKey { needsKeyframe = false }
        if needsKeyframe {
            framesDropped += 1
            return
        }
        frames.append(VP8EncodedFrame(data: data, isKeyframe: isKey))
    }
}
