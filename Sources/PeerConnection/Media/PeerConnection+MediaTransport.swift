import DTLS
import Media
import RTP
import SRTP
import WireKit

/// SRTP keyed from DTLS, RFC 7983 demultiplexing of RTP/RTCP, BUNDLE routing, RTCP reports and
/// feedback (SR/RR, NACK, PLI), and the media timers.
extension PeerConnection {
    /// Keys SRTP from the DTLS exporter once DTLS is connected with a `use_srtp` profile.
    func startSRTPIfReady() {
        // A data-only connection never starts SRTP: libsrtp is initialised only when media is used.
        guard media.srtp == nil, !media.srtpFailed, !media.transceivers.isEmpty, let dtls, dtls.state == .connected, let role = dtlsRole,
              let km = dtls.srtpKeyingMaterial, let profile = SRTPProfile(rawValue: km.profile.rawValue) else { return }
        let material = km.clientWriteKey + km.serverWriteKey + km.clientWriteSalt + km.serverWriteSalt
        do {
            let keys = try SRTPKeys(profile: profile, keyingMaterial: material, role: role == .client ? .client : .server)
            media.srtp = try SRTPContext(keys: keys)
        } catch {
            media.srtpFailed = true
        }
    }

    /// An RTP or RTCP datagram from the selected pair (RFC 7983: first byte 128–191).
    func handleMediaDatagram(_ datagram: [UInt8]) {
        startSRTPIfReady()
        guard let srtp = media.srtp else { media.srtpErrors += 1; return }
        if RTCPPacket.isRTCP(datagram) {
            guard let plain = try? srtp.unprotectRTCP(datagram), let packets = try? RTCPPacket.parseCompound(plain) else {
                media.srtpErrors += 1
                return
            }
            media.rtcpReceived += 1
            handleRTCP(packets)
            return
        }
        guard let plain = try? srtp.unprotectRTP(datagram), let packet = try? RTPPacket(parsing: plain) else {
            media.srtpErrors += 1
            return
        }
        guard let mid = media.router.route(packet), let t = media.transceiver(mid: mid),
              t.payloadType == packet.payloadType || (t.kind == .audio && t.telephoneEventPayloadType == packet.payloadType),
              t.currentDirection?.receives ?? t.direction.receives else {
            media.unroutable += 1
            return
        }
        if t.remoteSSRC != packet.ssrc { t.bindRemote(ssrc: packet.ssrc) }
        t.receiverStats?.record(sequenceNumber: packet.sequenceNumber, rtpTimestamp: packet.timestamp,
                                payloadBytes: packet.payload.count, arrival: now)
        t.lastPacketReceived = now
        scheduleRTCP()
        switch t.kind {
        case .audio where packet.payloadType == t.telephoneEventPayloadType:
            emit(.telephoneEvent(t.handle, packet))
        case .audio:
            emit(.audioPacket(t.handle, packet))
        case .video:
            t.nack?.handle(sequenceNumber: packet.sequenceNumber, now: now)
            t.depayloader.insert(packet)
            while let frame = t.depayloader.pollFrame() {
                t.framesReceived += 1
                emit(.videoFrame(t.handle, frame))
            }
            if t.depayloader.needsKeyframe { sendPLIIfDue(t) }
            sendDueNACKs()
        }
    }

    func handleRTCP(_ packets: [RTCPPacket]) {
        for p in packets {
            switch p {
            case .senderReport(let sr):
                media.receiver(ssrc: sr.ssrc)?.receiverStats?.recordSenderReport(sr, arrival: now)
                for block in sr.reports { handleReportBlock(block) }
            case .receiverReport(let rr):
                for block in rr.reports { handleReportBlock(block) }
            case .nack(let nack):
                guard let t = media.sender(ssrc: nack.mediaSSRC) else { continue }
                t.nackReceived += 1
                for packet in t.retransmissions.handle(nack: nack, now: now) {
                    t.retransmittedPacketsSent += 1
                    transmitRTP(packet, on: t, record: false)
                }
            case .pli(let pli):
                guard let t = media.sender(ssrc: pli.mediaSSRC) else { continue }
                t.pliReceived += 1
                emit(.keyframeRequested(t.handle))
            case .other(let type, let count, let body) where type == 206 && count == 4 && body.count >= 12:
                // FIR (RFC 5104 §4.3.1): treated as a PLI for the SSRC in its first FCI entry.
                let ssrc = UInt32(body[8]) << 24 | UInt32(body[9]) << 16 | UInt32(body[10]) << 8 | UInt32(body[11])
                if let t = media.sender(ssrc: ssrc) { t.pliReceived += 1; emit(.keyframeRequested(t.handle)) }
            default:
                break
            }
        }
    }

    func handleReportBlock(_ block: ReportBlock) {
        guard let t = media.sender(ssrc: block.ssrc) else { return }
        t.remoteReport = block
        t.senderStats.handle(reportBlock: block, now: now)
    }

    /// Protects and sends one RTP packet of `t` (counted, kept for NACKs unless a retransmission).
    func transmitRTP(_ packet: RTPPacket, on t: Transceiver, record: Bool = true) {
        guard let srtp = media.srtp, let ice else { return }
        if record {
            t.retransmissions.insert(packet, now: now)
            t.senderStats.record(packet, now: now)
            t.bytesSent += packet.payload.count
        }
        guard let protected = try? srtp.protectRTP(packet.serialized()) else { media.srtpErrors += 1; return }
        try? ice.send(data: protected, now: now)
        scheduleRTCP()
    }

    /// Protects and sends one (compound or reduced-size) RTCP packet.
    func transmitRTCP(_ packets: [RTCPPacket]) {
        guard let srtp = media.srtp, let ice, !packets.isEmpty else { return }
        guard let protected = try? srtp.protectRTCP(RTCPPacket.serializeCompound(packets)) else { media.srtpErrors += 1; return }
        media.rtcpSent += 1
        try? ice.send(data: protected, now: now)
    }

    func sendPLIIfDue(_ t: Transceiver) {
        guard let remote = t.remoteSSRC else { return }
        if let last = t.lastPLI, now - last < .milliseconds(300) { return }
        t.lastPLI = now
        t.pliSent += 1
        transmitRTCP([.pli(PictureLossIndication(senderSSRC: t.localSSRC, mediaSSRC: remote))])
    }

    func sendDueNACKs() {
        for t in media.transceivers where t.nack != nil {
            if let n = t.nack?.pollNACK(now: now) {
                t.nackSent += 1
                transmitRTCP([.nack(n)])
            }
        }
    }

    func scheduleRTCP() {
        if media.nextRTCP == nil { media.nextRTCP = now + .milliseconds(500) }
    }

    /// Periodic reports: an SR per sending transceiver (or an RR), with report blocks for what we receive, and SDES.
    func sendReports() {
        var reports: [RTCPPacket] = []
        var blocks: [ReportBlock] = []
        for t in media.transceivers where t.receiverStats != nil && !t.stopped {
            if let b = t.receiverStats?.makeReportBlock(now: now) { blocks.append(b) }
        }
        let senders = media.transceivers.filter { !$0.stopped && $0.senderStats.packetsSent > 0 }
        if let first = senders.first {
            reports.append(.senderReport(first.senderStats.makeSenderReport(now: now, reports: blocks)))
            for t in senders.dropFirst() { reports.append(.senderReport(t.senderStats.makeSenderReport(now: now))) }
        } else if let t = media.transceivers.first(where: { !$0.stopped }), !blocks.isEmpty {
            reports.append(.receiverReport(ReceiverReport(ssrc: t.localSSRC, reports: blocks)))
        }
        guard let ssrc = reports.first.flatMap({ p -> UInt32? in
            switch p {
            case .senderReport(let s): return s.ssrc
            case .receiverReport(let r): return r.ssrc
            default: return nil
            }
        }) else { return }
        reports.append(.sourceDescription(SourceDescription(chunks: [.init(ssrc: ssrc, items: [.cname(media.cname)])])))
        transmitRTCP(reports)
    }

    /// The next media deadline (RTCP report or NACK retry).
    var mediaTimeout: Instant? {
        guard media.srtp != nil else { return nil }
        var earliest = media.nextRTCP
        for t in media.transceivers { if let d = t.nack?.pollTimeout(), earliest.map({ d < $0 }) ?? true { earliest = d } }
        return earliest
    }

    /// Runs the media timers due at `now`.
    func handleMediaTimeout() {
        guard media.srtp != nil else { return }
        if let due = media.nextRTCP, due <= now {
            sendReports()
            media.nextRTCP = now + media.rtcpInterval
        }
        for t in media.transceivers where t.nack != nil {
            if let rtt = t.senderStats.roundTripTime ?? media.transceivers.compactMap(\.senderStats.roundTripTime).first {
                t.nack?.retryInterval = max(.milliseconds(20), rtt + .milliseconds(10))
            }
        }
        sendDueNACKs()
        for t in media.transceivers where t.kind == .video && t.lastPacketReceived != nil && t.depayloader.needsKeyframe {
            sendPLIIfDue(t)
        }
    }
}
