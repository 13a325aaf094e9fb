import Media
import RTP
import WireKit

/// One W3C `RTCRtpTransceiver`: a sender and a receiver of one kind sharing a `mid`.
///
/// The sender packetizes encoded frames (RFC 7587 Opus, RFC 7741 VP8), keeps the last packets
/// for NACKs and counts for sender reports. The receiver keeps reception statistics, asks for
/// lost video packets (NACK) and keyframes (PLI), and reassembles VP8 frames.
final class Transceiver {
    let handle: TransceiverHandle
    let kind: MediaKind
    var mid: String?
    var direction: TransceiverDirection
    var currentDirection: TransceiverDirection?
    /// True while a local track is attached (addTrack / removeTrack).
    var hasTrack: Bool
    var streamID: String
    var trackID: String
    /// True once the m-line it sits on was rejected or the transceiver stopped (W3C
    /// [[Stopping]] or [[Stopped]]): it neither sends nor receives any more.
    var stopped = false
    /// True once a description of ours or the peer's carries its m-line rejected (port 0);
    /// when that exchange completes the transceiver is removed and its m-line can be recycled.
    var rejectedInDescription = false

    // MARK: Negotiated parameters
    /// The payload type of the codec in the negotiated m-line.
    var payloadType: UInt8?
    /// The `telephone-event/48000` payload type (audio only; nil: no DTMF).
    var telephoneEventPayloadType: UInt8?
    /// The MID header extension id negotiated for this m-line.
    var midExtensionID: UInt8?
    /// The peer's direction as seen from our side (its sendonly = our recv).
    var remoteSends = false
    /// The peer's direction allows it to receive.
    var remoteReceives = false
    /// The direction written in our last description of this m-line.
    var writtenDirection: TransceiverDirection?
    /// `direction` and `hasTrack` at the last completed exchange (for `negotiationneeded`).
    var negotiatedDirection: TransceiverDirection?
    var negotiatedHasTrack = false
    var remoteStreamIDs: [String] = []
    var remoteTrackID: String?
    var trackEventFired = false

    // MARK: Send side
    let localSSRC: UInt32
    var sequenceNumber: UInt16
    var timestampBase: UInt32
    var vp8PictureID: UInt16 = 0
    var senderStats: SenderStatistics
    var retransmissions = RetransmissionBuffer(capacity: 1024, maxAge: .seconds(1))
    var framesSent = 0
    var bytesSent = 0
    var nackReceived = 0
    var pliReceived = 0
    var retransmittedPacketsSent = 0
    var remoteReport: ReportBlock?
    var silent = true

    // MARK: Receive side
    var remoteSSRC: UInt32?
    var receiverStats: ReceiverStatistics?
    var nack: NACKGenerator?
    var depayloader = VP8Depayloader()
    var lastPLI: Instant?
    var nackSent = 0
    var pliSent = 0
    var framesReceived = 0
    var packetsDiscarded = 0
    var lastPacketReceived: Instant?

    init(handle: TransceiverHandle, kind: MediaKind, direction: TransceiverDirection, hasTrack: Bool,
         streamID: String, trackID: String, rng: inout SeededRandom) {
        self.handle = handle
        self.kind = kind
        self.direction = direction
        self.hasTrack = hasTrack
        self.streamID = streamID
        self.trackID = trackID
        var ssrc = UInt32(truncatingIfNeeded: rng.next())
        if ssrc == 0 { ssrc = 1 }
        localSSRC = ssrc
        sequenceNumber = UInt16(truncatingIfNeeded: rng.next())
        timestampBase = UInt32(truncatingIfNeeded: rng.next())
        senderStats = SenderStatistics(ssrc: ssrc, clockRate: kind == .audio ? 48000 : 90000)
    }

    var clockRate: UInt32 { kind == .audio ? 48000 : 90000 }

    /// True when negotiation lets us send on it now.
    var canSend: Bool { !stopped && (currentDirection?.sends ?? false) && payloadType != nil }

    var info: TransceiverInfo {
        TransceiverInfo(handle: handle, kind: kind, mid: mid, direction: direction, currentDirection: currentDirection,
                        localSSRC: localSSRC, remoteSSRC: remoteSSRC, payloadType: payloadType,
                        telephoneEventPayloadType: telephoneEventPayloadType, stopped: stopped)
    }

    /// The header extension every packet carries (the MID, for BUNDLE demultiplexing).
    var headerExtension: RTPHeaderExtension? {
        guard let id = midExtensionID, let mid, !mid.isEmpty, mid.utf8.count <= 16 else { return nil }
        return .best(for: [RTPHeaderExtensionElement(id: id, value: Array(mid.utf8))])
    }

    /// The RTP packet for one Opus frame of `frameCount` samples at `timestamp` (nil for DTX).
    func packetizeOpus(_ opus: [UInt8], timestamp: UInt32) -> RTPPacket? {
        guard let pt = payloadType else { return nil }
        if OpusEncoder.isDTX(opus) { silent = true; return nil }
        let marker = silent
        silent = false
        defer { sequenceNumber &+= 1 }
        return RTPPacket(payloadType: pt, sequenceNumber: sequenceNumber, timestamp: timestampBase &+ timestamp, ssrc: localSSRC,
                         marker: marker, headerExtension: headerExtension, payload: opus)
    }

    /// The RTP packet for one RFC 4733 telephone-event at `timestamp` (48 kHz, the audio's timeline);
    /// it shares the audio stream's SSRC and sequence numbers (RFC 4733 §2.1).
    func packetizeTelephoneEvent(_ payload: [UInt8], timestamp: UInt32, marker: Bool) -> RTPPacket? {
        guard let pt = telephoneEventPayloadType else { return nil }
        silent = false
        defer { sequenceNumber &+= 1 }
        return RTPPacket(payloadType: pt, sequenceNumber: sequenceNumber, timestamp: timestampBase &+ timestamp, ssrc: localSSRC,
                         marker: marker, headerExtension: headerExtension, payload: payload)
    }

    /// The RTP packets for one VP8 frame at `timestamp` (90 kHz).
    func packetizeVP8(_ frame: [UInt8], timestamp: UInt32, maxPayloadSize: Int) -> [RTPPacket] {
        guard let pt = payloadType else { return [] }
        var p = VP8Payloader(ssrc: localSSRC, payloadType: pt, sequenceNumber: sequenceNumber, pictureID: vp8PictureID,
                             maxPayloadSize: maxPayloadSize)
        var packets = p.packetize(frame, timestamp: timestampBase &+ timestamp)
        sequenceNumber = p.sequenceNumber
        vp8PictureID = p.pictureID
        if let ext = headerExtension { for i in packets.indices { packets[i].headerExtension = ext } }
        return packets
    }

    /// Starts receiving `ssrc` (its statistics and, for video, NACK generation).
    func bindRemote(ssrc: UInt32) {
        guard remoteSSRC != ssrc else { return }
        remoteSSRC = ssrc
        receiverStats = ReceiverStatistics(ssrc: ssrc, clockRate: clockRate)
        nack = kind == .video ? NACKGenerator(senderSSRC: localSSRC, mediaSSRC: ssrc, retryInterval: .milliseconds(60)) : nil
        depayloader = VP8Depayloader()
    }
}
