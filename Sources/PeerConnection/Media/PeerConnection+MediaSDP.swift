import SDP
import WireKit

/// Media sections in offers and answers (JSEP §5.2.1, §5.3.1), and what the peer's say.
extension PeerConnection {
    /// Adds a section (with a fresh mid) for every transceiver not yet in an m-line. A section
    /// rejected in the last completed exchange whose transceiver is gone is recycled: the new
    /// section takes its index, with a new mid (JSEP §5.2.2); else it is appended.
    func appendNewMediaSections(to list: inout [NegotiatedSection]) {
        var recyclable = list.indices.filter { i in
            let s = list[i]
            return !s.isData && (s.kind == .audio || s.kind == .video) && !media.transceivers.contains { $0.mid == s.mid }
        }
        for t in media.transceivers where t.mid == nil && !t.stopped {
            var n = list.count
            var mid = String(n)
            while list.contains(where: { $0.mid == mid }) || media.transceivers.contains(where: { $0.mid == mid })
                    || media.usedMIDs.contains(mid) {
                n += 1
                mid = String(n)
            }
            t.mid = mid
            media.usedMIDs.insert(mid)
            let codec = MediaCodec.preferred(for: t.kind)
            t.payloadType = t.payloadType ?? codec.payloadType
            var formats = [String(codec.payloadType)]
            if t.kind == .audio {
                t.telephoneEventPayloadType = t.telephoneEventPayloadType ?? MediaCodec.telephoneEvent.payloadType
                formats.append(String(MediaCodec.telephoneEvent.payloadType))
            }
            t.midExtensionID = t.midExtensionID ?? MediaExtension.defaultMIDID
            let section = NegotiatedSection(mid: mid, kind: t.kind.sdpKind, transportProtocol: "UDP/TLS/RTP/SAVPF",
                                            formats: formats, isData: false)
            if recyclable.isEmpty {
                list.append(section)
            } else {
                list[recyclable.removeFirst()] = section
            }
        }
    }

    /// The BUNDLE group: every accepted section, in m-line order.
    func bundleMIDs(_ list: [NegotiatedSection]) -> [String] {
        list.filter { $0.isData || media.transceiver(mid: $0.mid) != nil }.map(\.mid)
    }

    /// The section we write for a non-data m-line: our transceiver's, or nil (rejected).
    /// In an answer the direction is the intersection with the peer's (JSEP §5.3.1).
    func mediaSection(for s: NegotiatedSection, setup: SDPSetupRole, isAnswer: Bool) -> MediaDescription? {
        guard let t = media.transceiver(mid: s.mid), t.kind.sdpKind == s.kind, let pt = t.payloadType else { return nil }
        let codec = MediaCodec.preferred(for: t.kind)
        var direction = t.direction
        if isAnswer {
            direction = TransceiverDirection(send: t.direction.sends && t.hasTrack && t.remoteReceives,
                                             receive: t.direction.receives && t.remoteSends)
        } else if !t.hasTrack {
            direction = direction.with(send: false)
        }
        t.writtenDirection = direction
        let creds = localICECredentials
        let dtmf = t.kind == .audio ? t.telephoneEventPayloadType : nil
        var m = MediaDescription(kind: t.kind.sdpKind, transportProtocol: "UDP/TLS/RTP/SAVPF",
                                 formats: [String(pt)] + (dtmf.map { [String($0)] } ?? []), connection: SDPConnectionData())
        m.append(.iceUfrag(creds.ufrag))
        m.append(.icePwd(creds.password))
        m.append(.iceOptions(["trickle"]))
        m.append(.fingerprint(localFingerprint))
        m.append(.setup(setup))
        m.append(.mid(s.mid))
        if let id = t.midExtensionID { m.append(.extmap(SDPExtMap(id: UInt16(id), uri: MediaExtension.midURI))) }
        m.append(.direction(direction.sdp))
        if direction.sends { m.append(.msid(SDPMSID(streamID: t.streamID, trackID: t.trackID))) }
        m.append(.rtcpMux)
        m.append(.rtcpReducedSize)
        m.append(.rtpmap(SDPRTPMap(payloadType: pt, encodingName: codec.name, clockRate: codec.clockRate,
                                   encodingParameters: codec.channels)))
        if let f = codec.fmtp { m.append(.fmtp(SDPFormatParameters(format: String(pt), parameters: f))) }
        for fb in codec.feedback { m.append(.rtcpFeedback(SDPRTCPFeedback(payloadType: pt, type: fb.type, parameter: fb.parameter))) }
        if let dtmf {
            let te = MediaCodec.telephoneEvent
            m.append(.rtpmap(SDPRTPMap(payloadType: dtmf, encodingName: te.name, clockRate: te.clockRate, encodingParameters: nil)))
            if let f = te.fmtp { m.append(.fmtp(SDPFormatParameters(format: String(dtmf), parameters: f))) }
        }
        if direction.sends {
            m.append(.ssrc(SDPSSRCAttribute(ssrc: t.localSSRC, attribute: "cname", value: media.cname)))
            m.append(.ssrc(SDPSSRCAttribute(ssrc: t.localSSRC, attribute: "msid", value: "\(t.streamID) \(t.trackID)")))
        }
        return m
    }

    /// A rejected RTP section in an offer of ours (a stopped transceiver's m-line: port 0,
    /// JSEP §5.2.2). Besides the mid it keeps the transport attributes (ICE credentials,
    /// fingerprint, setup, rtcp-mux) and the rtpmaps of the codecs it carried, as Chromium
    /// writes them: peers such as aiortc refuse a media section without ICE credentials or
    /// without a codec they know, even one with port 0.
    func rejectedOfferSection(_ s: NegotiatedSection) -> MediaDescription {
        var m = rejectedSection(s)
        guard s.transportProtocol.contains("RTP") else { return m }
        let creds = localICECredentials
        m.append(.iceUfrag(creds.ufrag))
        m.append(.icePwd(creds.password))
        m.append(.fingerprint(localFingerprint))
        m.append(.setup(setupForOffer()))
        m.append(.rtcpMux)
        for codec in [MediaCodec.opus, .vp8, .telephoneEvent] where s.formats.contains(String(codec.payloadType)) {
            m.append(.rtpmap(SDPRTPMap(payloadType: codec.payloadType, encodingName: codec.name, clockRate: codec.clockRate,
                                       encodingParameters: codec.channels)))
        }
        return m
    }

    /// Notes that a description of ours rejects `mid`: a stopped transceiver on it is then
    /// removed when the exchange completes.
    func markRejected(mid: String) {
        for t in media.transceivers where t.mid == mid && t.stopped { t.rejectedInDescription = true }
    }

    /// Reads the audio/video sections of a peer's description: associates or creates
    /// transceivers (offers), picks the payload type, learns SSRCs, msid and the MID extension
    /// id, and fires `track` for sections the peer sends on.
    func applyRemoteMedia(_ session: SessionDescription, isOffer: Bool) {
        for (i, m) in session.media.enumerated() where m.kind == .audio || m.kind == .video {
            let kind: MediaKind = m.kind == .audio ? .audio : .video
            let mid = m.mid ?? String(i)
            media.usedMIDs.insert(mid)
            var t = media.transceivers.first { $0.mid == mid }
            if m.isRejected || !m.transportProtocol.contains("RTP") {
                t?.stopped = true
                t?.hasTrack = false
                t?.rejectedInDescription = true
                t?.currentDirection = nil
                continue
            }
            let codec = MediaCodec.preferred(for: kind)
            let pt = m.rtpMaps.first {
                $0.encodingName.lowercased() == codec.name.lowercased() && $0.clockRate == codec.clockRate
                    && m.payloadTypes.contains($0.payloadType)
            }?.payloadType
            if t == nil, isOffer, pt != nil {
                if let free = media.transceivers.first(where: { $0.mid == nil && !$0.stopped && $0.kind == kind && $0.hasTrack }) {
                    free.mid = mid
                    t = free
                } else {
                    t = makeTransceiver(kind: kind, direction: .recvonly, hasTrack: false, streamID: nil)
                    t?.mid = mid
                }
            }
            guard let t, t.kind == kind else { continue }
            guard let pt else {
                t.stopped = true  // no codec in common: the section is rejected
                continue
            }
            t.payloadType = pt
            if kind == .audio {
                // RFC 4733 events at the audio's own clock only (their timestamps share its timeline).
                let te = MediaCodec.telephoneEvent
                t.telephoneEventPayloadType = m.rtpMaps.first {
                    $0.encodingName.lowercased() == te.name && $0.clockRate == te.clockRate && m.payloadTypes.contains($0.payloadType)
                }?.payloadType
            }
            t.midExtensionID = m.extmaps.first { $0.uri == MediaExtension.midURI }.flatMap { $0.id <= 255 ? UInt8($0.id) : nil }
            let d = TransceiverDirection(session.direction(forMediaAt: i))
            t.remoteSends = d.sends
            t.remoteReceives = d.receives
            if let msid = m.msids.first {
                t.remoteStreamIDs = [msid.streamID]
                t.remoteTrackID = msid.trackID
            }
            let grouped = Set(m.ssrcGroups.flatMap { $0.ssrcs.dropFirst() })
            if let ssrc = m.ssrcAttributes.first(where: { !grouped.contains($0.ssrc) })?.ssrc {
                t.bindRemote(ssrc: ssrc)
                if t.remoteStreamIDs.isEmpty,
                   let v = m.ssrcAttributes.first(where: { $0.ssrc == ssrc && $0.attribute == "msid" })?.value {
                    let parts = v.split(separator: " ")
                    t.remoteStreamIDs = parts.first.map { [String($0)] } ?? []
                    t.remoteTrackID = parts.dropFirst().first.map(String.init)
                }
            }
            if d.sends, t.direction.receives, !t.trackEventFired {
                t.trackEventFired = true
                emit(.track(TrackEvent(transceiver: t.handle, kind: kind, mid: mid, streamIDs: t.remoteStreamIDs,
                                       trackID: t.remoteTrackID)))
            }
        }
        media.rebuildRouter()
    }

    /// An offer/answer exchange completed: transceivers whose m-line it rejected are removed
    /// (W3C: stopped transceivers leave `getTransceivers()`); every other's `currentDirection` is fixed.
    func finishMediaNegotiation() {
        media.transceivers.removeAll { $0.stopped && $0.rejectedInDescription }
        for t in media.transceivers where t.mid != nil && !t.stopped {
            let written = t.writtenDirection ?? t.direction
            t.currentDirection = TransceiverDirection(send: written.sends && t.remoteReceives, receive: written.receives && t.remoteSends)
            t.negotiatedDirection = t.direction
            t.negotiatedHasTrack = t.hasTrack
        }
        media.rebuildRouter()
        if dtls?.state == .connected { startSRTPIfReady() }
    }

    /// True when a transceiver changed since the last exchange (W3C "check if negotiation is needed").
    var mediaNeedsNegotiation: Bool {
        media.transceivers.contains { t in
            guard !t.stopped else { return t.mid != nil && !t.rejectedInDescription }
            return t.mid == nil || t.negotiatedDirection != t.direction || t.negotiatedHasTrack != t.hasTrack
        }
    }
}
