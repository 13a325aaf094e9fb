import RTP
import WireKit

/// Packs Opus packets into RTP per RFC 7587: one Opus packet per RTP payload, 48 kHz clock.
///
/// Sequence numbers and timestamps are kept here; DTX packets are not sent but advance the
/// timestamp, and the first packet after silence carries the marker bit. DTMF events share the
/// stream's SSRC and sequence numbers (``makePacket(payloadType:payload:timestamp:marker:)``).
public struct OpusPayloader: Sendable {
    /// The stream's SSRC.
    public let ssrc: UInt32
    /// The negotiated Opus payload type (usually 111).
    public let payloadType: UInt8
    /// The next sequence number.
    public private(set) var sequenceNumber: UInt16
    /// The RTP timestamp of the next frame.
    public private(set) var timestamp: UInt32
    private var inSilence = true
    /// Header extensions to add to every packet (e.g. MID).
    public var headerExtension: RTPHeaderExtension?

    /// A payloader for `ssrc` starting at `sequenceNumber`/`timestamp` (random per RFC 3550, chosen by the caller).
    public init(ssrc: UInt32, payloadType: UInt8 = 111, sequenceNumber: UInt16, timestamp: UInt32) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
    }

    /// The RTP packet for one encoded frame of `frameCount` samples, or nil for a DTX frame (not sent).
    public mutating func packetize(_ opus: [UInt8], frameCount: Int = 960) -> RTPPacket? {
        defer { timestamp &+= UInt32(truncatingIfNeeded: frameCount) }
        if OpusEncoder.isDTX(opus) {
            inSilence = true
            return nil
        }
        let marker = inSilence
        inSilence = false
        return makePacket(payloadType: payloadType, payload: opus, timestamp: timestamp, marker: marker)
    }

    /// A packet on this stream with the next sequence number (for DTMF events sharing the SSRC).
    public mutating func makePacket(payloadType: UInt8, payload: [UInt8], timestamp: UInt32, marker: Bool) -> RTPPacket {
        defer { sequenceNumber &+= 1 }
        return RTPPacket(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc,
                         marker: marker, headerExtension: headerExtension, payload: payload)
    }
}

/// The receive side of an Opus track: jitter buffer, decoder, concealment.
///
/// Sans-IO: ``insert(_:now:)`` received packets; at ``pollTimeout()`` call ``pollFrame(now:)``
/// for the next 20 ms of audio (decoded, FEC-recovered, or concealed).
public final class OpusReceiver {
    /// The jitter buffer (its statistics report concealment).
    public private(set) var jitterBuffer: JitterBuffer
    private let decoder: OpusDecoder
    /// Packets whose payload failed to decode (hostile or corrupt); concealed instead.
    public private(set) var decodeErrors = 0

    /// A receiver with a jitter buffer aiming between `minDelay` and `maxDelay`.
    public init(minDelay: Duration = .milliseconds(40), maxDelay: Duration = .milliseconds(80)) throws(OpusError) {
        jitterBuffer = JitterBuffer(minDelay: minDelay, maxDelay: maxDelay)
        decoder = try OpusDecoder()
    }

    /// Takes in a received Opus RTP packet.
    public func insert(_ packet: RTPPacket, now: Instant) { jitterBuffer.insert(packet, now: now) }

    /// When the next 20 ms of audio is due.
    public func pollTimeout() -> Instant? { jitterBuffer.pollTimeout() }

    /// The next 20 ms of audio if due at `now`.
    public func pollFrame(now: Instant) -> AudioFrame? {
        guard let out = jitterBuffer.pollFrame(now: now) else { return nil }
        do {
            switch out {
            case .packet(let p): return try decoder.decode(p.payload)
            case .recoverFromNext(let p): return try decoder.decodeFEC(from: p.payload)
            case .conceal: return try decoder.conceal()
            }
        } catch {
            decodeErrors += 1
            return (try? decoder.conceal()) ?? .silence(frameCount: 960)
        }
    }
}
