import WireKit

/// SACK processing (RFC 9260 §6.2.1), RTT/RTO (§6.3), congestion control (§7.2: slow
/// start, congestion avoidance, fast retransmit on three miss indications with HTNA, fast
/// recovery), and PR-SCTP abandonment with the Advanced.Peer.Ack.Point (RFC 3758 §3.5).
extension SCTPAssociation {
    mutating func handleSack(_ sack: SackChunk) {
        guard state != .closed, state != .cookieWait, state != .cookieEchoed else { return }
        let cum = sack.cumulativeTSNAck
        guard Serial.le(lastCumAck, cum) else { return }  // older than what we know
        guard Serial.lt(cum, nextTSN) else { return }  // acks data never sent: ignore
        let flightBefore = flightSize
        var cumAdvanced = false
        var bytesAcked = 0
        var highestNewlyAcked: UInt32?
        var rttSample: Instant?
        // Cumulative part. `outstanding` holds every TSN from lastCumAck + 1 on, so the count
        // to drop is a subtraction; each entry is moved out (peeking at `first` would copy it).
        var acked = min(Int(cum &- lastCumAck), outstanding.count)
        while acked > 0 {
            let first = outstanding.removeFirst()
            acked -= 1
            cumAdvanced = true
            switch first.status {
            case .inFlight:
                flightSize -= first.payload.count
                bytesAcked += first.payload.count
                if first.transmitCount == 1 { rttSample = first.sentAt }
                highestNewlyAcked = first.tsn
            case .toRetransmit:
                bytesAcked += first.payload.count
                highestNewlyAcked = first.tsn
            case .acked, .abandoned:
                break
            }
        }
        if cumAdvanced {
            lastCumAck = cum
            if Serial.lt(advancedPeerAckPoint, cum) { advancedPeerAckPoint = cum }
            errorCount = 0
        }
        // Gap-ack blocks.
        if !sack.gapBlocks.isEmpty {
            for block in sack.gapBlocks where block.start <= block.end && block.start > 0 {
                let from = Int(cum &- lastCumAck) + Int(block.start) - 1
                let to = Int(cum &- lastCumAck) + Int(block.end) - 1
                guard from >= 0 else { continue }
                var i = from
                while i <= to, i < outstanding.count {
                    switch outstanding[i].status {
                    case .inFlight:
                        flightSize -= outstanding[i].payload.count
                        bytesAcked += outstanding[i].payload.count
                        outstanding[i].status = .acked
                        if outstanding[i].transmitCount == 1 { rttSample = outstanding[i].sentAt }
                        highestNewlyAcked = outstanding[i].tsn
                    case .toRetransmit:
                        bytesAcked += outstanding[i].payload.count
                        outstanding[i].status = .acked
                        highestNewlyAcked = outstanding[i].tsn
                    case .acked, .abandoned: break
                    }
                    i += 1
                }
            }
            if let htna = highestNewlyAcked { countMissIndications(below: htna) }
        }
        if let sentAt = rttSample { updateRTO(nanoseconds: Int64(clamping: now.nanoseconds &- min(now.nanoseconds, sentAt.nanoseconds))) }
        // Congestion window (§7.2.1, §7.2.2), not during fast recovery.
        if let exit = fastRecoveryExit, Serial.le(exit, lastCumAck) { fastRecoveryExit = nil }
        if cumAdvanced && fastRecoveryExit == nil && bytesAcked > 0 {
            if cwnd <= ssthresh {
                // Slow start; byte counting with L = 2 (RFC 3465) since SACKs are delayed.
                if flightBefore + mtu >= cwnd { cwnd += min(bytesAcked, 2 * mtu) }
            } else {
                partialBytesAcked += bytesAcked
                if partialBytesAcked >= cwnd && flightBefore + mtu >= cwnd {
                    partialBytesAcked -= cwnd
                    cwnd += mtu
                }
            }
        }
        if flightSize == 0 { partialBytesAcked = 0 }
        peerRwnd = max(0, Int(sack.advertisedReceiverWindow) - flightSize)
        // Max.Burst (§6.1 D): in reply to this SACK, send what it released plus at most
        // Max.Burst packets more. (Capping at flight-after-SACK + Max.Burst instead would
        // starve the flow whenever one SACK acknowledges a whole flight.)
        burstFlightLimit = flightBefore + configuration.maxBurst * mtu
        // T3-rtx (§6.3.2): stop when nothing is in flight, restart when the cum ack moved.
        advancePeerAckPoint()
        if flightSize == 0 && retransmitQueue.isEmpty && !Serial.lt(lastCumAck, advancedPeerAckPoint) {
            t3Deadline = nil
        } else if cumAdvanced {
            t3Deadline = now.adding(nanoseconds: rto)
        }
    }

    /// HTNA (§7.2.4): every chunk still in flight below the highest newly acked TSN gets a
    /// miss indication; at three it is fast-retransmitted (once) and fast recovery begins.
    mutating func countMissIndications(below htna: UInt32) {
        var marked = false
        var i = 0
        while i < outstanding.count, Serial.lt(outstanding[i].tsn, htna) {
            if outstanding[i].status == .inFlight && !outstanding[i].fastRetransmitted {
                outstanding[i].missIndications &+= 1
                if outstanding[i].missIndications >= 3 {
                    outstanding[i].fastRetransmitted = true
                    markForRetransmit(at: i)
                    marked = true
                }
            }
            i += 1
        }
        guard marked else { return }
        if fastRecoveryExit == nil {
            ssthresh = max(cwnd / 2, 4 * mtu)
            cwnd = ssthresh
            partialBytesAcked = 0
            fastRecoveryExit = nextTSN &- 1
            statistics.fastRetransmits += 1
        }
        fastRetransmitPending = true
        sortRetransmitQueue()
    }

    /// Takes the chunk out of flight and queues it for retransmission (or abandons it).
    mutating func markForRetransmit(at index: Int) {
        guard outstanding[index].status == .inFlight else { return }
        flightSize -= outstanding[index].payload.count
        if peerSupportsForwardTSN && outstanding[index].shouldAbandon(now: now) {
            outstanding[index].status = .toRetransmit
            abandonMessage(at: index)
            return
        }
        outstanding[index].status = .toRetransmit
        retransmitQueue.append(outstanding[index].tsn)
    }

    mutating func sortRetransmitQueue() {
        let base = lastCumAck
        var list = Array(retransmitQueue)
        list.sort { ($0 &- base) < ($1 &- base) }
        retransmitQueue = .init(list)
    }

    /// RFC 9260 §6.3.1.
    mutating func updateRTO(nanoseconds sample: Int64) {
        let r = max(0, sample)
        if let s = srtt {
            rttvar = (3 * rttvar + abs(s - r)) / 4
            srtt = (7 * s + r) / 8
        } else {
            srtt = r
            rttvar = r / 2
        }
        rto = min(max((srtt ?? r) + max(4 * rttvar, 1_000_000), rtoMinNanoseconds), rtoMaxNanoseconds)
    }

    /// PR-SCTP: abandons every fragment of the message containing `outstanding[index]`,
    /// and the part of it still queued (RFC 3758 §3.5 A3).
    mutating func abandonMessage(at index: Int) {
        let id = outstanding[index].messageID
        let sid = outstanding[index].streamID
        // DATA fragments of a message have consecutive TSNs; I-DATA ones may be spread out.
        var i = index
        if interleaving {
            i = 0
        } else {
            while i > 0, outstanding[i - 1].messageID == id { i -= 1 }
        }
        while i < outstanding.count {
            if outstanding[i].messageID == id {
                if outstanding[i].status == .inFlight { flightSize -= outstanding[i].payload.count }
                outstanding[i].status = .abandoned
            } else if !interleaving {
                break
            }
            i += 1
        }
        statistics.abandonedMessages += 1
        if var stream = outStreams.removeValue(forKey: sid) {
            // Only the message being fragmented (the stream's head) can have fragments sent.
            if let front = stream.head, front.messageID == id {
                if front.offset > 0 {
                    // Partly sent: the receiver holds fragments of a message whose end never
                    // comes. A placeholder end fragment, abandoned at once, takes the next TSN,
                    // so the peer cannot acknowledge past it without a FORWARD TSN that drops
                    // the fragments (as dcsctp does).
                    let flags: UInt8 = (front.unordered ? 0x04 : 0) | 0x01
                    outstanding.append(OutstandingChunk(tsn: nextTSN, streamID: sid, mid: front.mid, fsn: front.nextFSN, ppid: front.ppid,
                                                        flags: flags, status: .abandoned, sentAt: now, messageID: id,
                                                        maxRetransmits: front.maxRetransmits, expiry: front.expiry, payload: []))
                    nextTSN &+= 1
                }
                stream.head = nil
                release(&stream, accounted: front.accounted, bytes: front.payload.count - front.offset, streamID: sid)
                if currentStream == sid {
                    // The stream was taken out of the round-robin while its message was being
                    // fragmented: put it back (or retire it) now that the message is gone.
                    currentStream = nil
                    stream.scheduled = stream.hasQueuedMessages
                    if stream.scheduled { scheduler.append(sid) }
                }
            }
            if !stream.isIdle { outStreams[sid] = stream }
        }
        advancePeerAckPoint()
    }

    /// Moves the Advanced.Peer.Ack.Point over abandoned chunks only (RFC 3758 §3.5 C1). Never
    /// over gap-acked ones: the peer would drop their fragments as skipped, and the rest of
    /// their (not abandoned) message would then arrive orphaned.
    mutating func advancePeerAckPoint() {
        guard peerSupportsForwardTSN else { return }
        if Serial.lt(advancedPeerAckPoint, lastCumAck) { advancedPeerAckPoint = lastCumAck }
        var i = Int(advancedPeerAckPoint &- lastCumAck)
        while i < outstanding.count, outstanding[i].status == .abandoned {
            advancedPeerAckPoint = outstanding[i].tsn
            i += 1
        }
        if Serial.lt(lastCumAck, advancedPeerAckPoint) { forwardTSNNeeded = true }
    }

    mutating func handleHeartbeatAck(_ chunk: HeartbeatChunk) {
        if chunk.info.count == PathMTUProbe.infoLength {
            handlePathMTUProbeAck(chunk.info)
            return
        }
        guard let pending = heartbeatOutstanding, chunk.info.count == 8 else { return }
        var nonce: UInt64 = 0
        for b in chunk.info { nonce = nonce << 8 | UInt64(b) }
        guard nonce == pending.nonce else { return }
        heartbeatOutstanding = nil
        errorCount = 0
        updateRTO(nanoseconds: (now - pending.sentAt).nanosecondsClamped)
    }
}
