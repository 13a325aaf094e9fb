import Media
import RTP
import WireKit

/// The W3C media API: `addTransceiver`, `addTrack`, `removeTrack`, transceiver directions,
/// and sending encoded frames on a transceiver.
///
/// Media rides on the data channel's transport (BUNDLE, rtcp-mux, SRTP keyed by DTLS-SRTP).
/// Received media comes out of ``pollEvent()`` as ``PeerConnectionEvent/audioPacket(_:_:)``
/// (Opus RTP packets, for a jitter buffer such as ``OpusReceiver``) and
/// ``PeerConnectionEvent/videoFrame(_:_:)`` (complete VP8 frames, after NACK recovery; a PLI
/// asks for a keyframe when a frame is lost). ``PeerConnectionEvent/keyframeRequested(_:)``
/// tells a video sender's encoder to emit a keyframe.
extension PeerConnection {
    /// W3C `addTransceiver(kind, {direction})`. A sending direction needs a track
    /// (``addTrack(_:streamID:)``) before packets flow; fires `negotiationneeded`.
    @discardableResult
    public func addTransceiver(_ kind: MediaKind, direction: TransceiverDirection = .sendrecv,
                               streamID: String? = nil) throws(PeerConnectionError) -> TransceiverHandle {
        guard !isClosed else { throw .invalidState("connection closed") }
        let t = makeTransceiver(kind: kind, direction: direction, hasTrack: direction.sends, streamID: streamID)
        updateNegotiationNeeded()
        return t.handle
    }

    /// W3C `addTrack`: reuses a transceiver of the same kind that has no track (one the peer
    /// created, or one stopped sending), else adds a `sendrecv` transceiver. Fires `negotiationneeded`.
    @discardableResult
    public func addTrack(_ kind: MediaKind, streamID: String? = nil) throws(PeerConnectionError) -> TransceiverHandle {
        guard !isClosed else { throw .invalidState("connection closed") }
        if let t = media.transceivers.first(where: { $0.kind == kind && !$0.hasTrack && !$0.stopped }) {
            t.hasTrack = true
            t.direction = t.direction.with(send: true)
            if let streamID { t.streamID = streamID }
            updateNegotiationNeeded()
            return t.handle
        }
        return try addTransceiver(kind, direction: .sendrecv, streamID: streamID)
    }

    /// W3C `removeTrack`: stops sending on the transceiver (its direction loses `send`);
    /// fires `negotiationneeded`.
    public func removeTrack(_ handle: TransceiverHandle) throws(PeerConnectionError) {
        guard !isClosed else { throw .invalidState("connection closed") }
        guard let t = media.transceiver(handle) else { throw .invalidState("no transceiver \(handle)") }
        guard t.hasTrack else { return }
        t.hasTrack = false
        t.direction = t.direction.with(send: false)
        updateNegotiationNeeded()
    }

    /// W3C `RTCRtpTransceiver.stop()`: the transceiver stops sending and receiving at once, and
    /// the next offer or answer rejects its m-line (port 0, JSEP §5.2.2). When that exchange
    /// completes it is removed from ``transceivers``, and the m-line is recycled by the next
    /// transceiver added (a new mid at the same index). Fires `negotiationneeded`; data
    /// channels are not touched. A transceiver never negotiated is simply removed.
    public func stopTransceiver(_ handle: TransceiverHandle) throws(PeerConnectionError) {
        guard !isClosed else { throw .invalidState("connection closed") }
        guard let t = media.transceiver(handle) else { throw .invalidState("no transceiver \(handle)") }
        guard !t.stopped else { return }
        t.stopped = true
        t.hasTrack = false
        t.direction = .inactive
        if t.mid == nil {
            media.transceivers.removeAll { $0 === t }
        }
        media.rebuildRouter()
        updateNegotiationNeeded()
    }

    /// W3C `RTCRtpTransceiver.direction` setter; fires `negotiationneeded` when it changes.
    public func setDirection(_ handle: TransceiverHandle, _ direction: TransceiverDirection) throws(PeerConnectionError) {
        guard let t = media.transceiver(handle), !t.stopped else { throw .invalidState("no live transceiver \(handle)") }
        guard t.direction != direction else { return }
        t.direction = direction
        updateNegotiationNeeded()
    }

    /// W3C `getTransceivers()`, as snapshots.
    public var transceivers: [TransceiverInfo] { media.transceivers.map(\.info) }

    /// One transceiver's snapshot.
    public func transceiver(_ handle: TransceiverHandle) -> TransceiverInfo? { media.transceiver(handle)?.info }

    /// True once SRTP is keyed (DTLS connected with a `use_srtp` profile).
    public var isMediaTransportReady: Bool { media.srtp != nil }

    /// Sends one encoded Opus frame. `timestamp` counts 48 kHz samples from the track's start
    /// (20 ms frames: 0, 960, 1920, …); DTX frames (1–2 bytes) are not sent but start a new
    /// talkspurt. Returns false when nothing was sent (not negotiated to send yet, transport not
    /// ready, or DTX).
    @discardableResult
    public func sendAudio(_ handle: TransceiverHandle, opus: [UInt8], timestamp: UInt32) throws(PeerConnectionError) -> Bool {
        guard let t = media.transceiver(handle), t.kind == .audio else { throw .invalidState("\(handle) is not an audio transceiver") }
        startSRTPIfReady()
        guard t.canSend, t.hasTrack, media.srtp != nil, let packet = t.packetizeOpus(opus, timestamp: timestamp) else { return false }
        t.framesSent += 1
        transmitRTP(packet, on: t)
        pump()
        return true
    }

    /// Sends one RFC 4733 telephone-event packet on an audio transceiver (a ``DTMFSender``'s
    /// output): `timestamp` is the event's start on the audio track's timeline (48 kHz units from
    /// the track's start, like ``sendAudio(_:opus:timestamp:)``). Returns false when nothing was
    /// sent (not sending yet, transport not ready); throws when no telephone-event was negotiated.
    @discardableResult
    public func sendTelephoneEvent(_ handle: TransceiverHandle, _ event: TelephoneEvent, timestamp: UInt32,
                                   marker: Bool) throws(PeerConnectionError) -> Bool {
        guard let t = media.transceiver(handle), t.kind == .audio else { throw .invalidState("\(handle) is not an audio transceiver") }
        guard t.telephoneEventPayloadType != nil else { throw .invalidState("no telephone-event was negotiated on \(handle)") }
        startSRTPIfReady()
        guard t.canSend, t.hasTrack, media.srtp != nil,
              let packet = t.packetizeTelephoneEvent(event.serialized(), timestamp: timestamp, marker: marker) else { return false }
        transmitRTP(packet, on: t)
        pump()
        return true
    }

    /// W3C `RTCDTMFSender.canInsertDTMF`: the audio transceiver sends and has a negotiated telephone-event.
    public func canInsertDTMF(_ handle: TransceiverHandle) -> Bool {
        guard let t = media.transceiver(handle), t.kind == .audio else { return false }
        return t.canSend && t.hasTrack && t.telephoneEventPayloadType != nil
    }

    /// Sends one encoded VP8 frame at `timestamp` (90 kHz units from the track's start),
    /// split into RTP packets per RFC 7741. Returns false when nothing was sent.
    @discardableResult
    public func sendVideo(_ handle: TransceiverHandle, frame: [UInt8], timestamp: UInt32) throws(PeerConnectionError) -> Bool {
        guard let t = media.transceiver(handle), t.kind == .video else { throw .invalidState("\(handle) is not a video transceiver") }
        startSRTPIfReady()
        guard t.canSend, t.hasTrack, media.srtp != nil, !frame.isEmpty else { return false }
        let packets = t.packetizeVP8(frame, timestamp: timestamp, maxPayloadSize: media.maxVideoPayload)
        t.framesSent += 1
        for p in packets { transmitRTP(p, on: t) }
        pump()
        return true
    }

    func makeTransceiver(kind: MediaKind, direction: TransceiverDirection, hasTrack: Bool, streamID: String?) -> Transceiver {
        if media.cname.isEmpty { media.cname = "peersync-" + String(sessionID, radix: 36) }
        let n = media.nextHandle
        media.nextHandle += 1
        let stream = streamID ?? "stream-" + String(sessionID, radix: 36)
        let t = Transceiver(handle: TransceiverHandle(rawValue: n), kind: kind, direction: direction, hasTrack: hasTrack,
                            streamID: stream, trackID: "\(kind.rawValue)-\(n)-" + String(rng.next() >> 40, radix: 36), rng: &rng)
        media.transceivers.append(t)
        return t
    }
}
