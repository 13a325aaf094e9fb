import WireKit

/// Timer expiries: T1-init/cookie (§5.1), T3-rtx (§6.3.3), delayed SACK (§6.2),
/// heartbeat (§8.3), T2-shutdown (§9.2) and the RE-CONFIG retransmission (RFC 6525 §5.1.1).
extension SCTPAssociation {
    /// Handles every timer due at or before `now`.
    public mutating func handle(timeout now: Instant) {
        self.now = now
        if let d = t1Deadline, d <= now { t1Expired() }
        if let d = t3Deadline, d <= now { t3Expired() }
        if let d = delayedAckDeadline, d <= now {
            delayedAckDeadline = nil
            sackImmediately = true
        }
        if let d = heartbeatDeadline, d <= now { heartbeatDue() }
        if let d = t2Deadline, d <= now { t2Expired() }
        if let d = reset.deadline, d <= now { resetTimerExpired() }
        if let d = pathMTUSearch.deadline, d <= now { pathMTUTimerDue() }
    }

    mutating func t1Expired() {
        t1Retransmits += 1
        if t1Retransmits > configuration.maxInitRetransmissions {
            terminate(.aborted(reason: "handshake timed out"))
            return
        }
        t1Timeout = min(t1Timeout * 2, configuration.rtoMax)
        t1Deadline = now + t1Timeout
        switch state {
        case .cookieWait: if let sentInit { queuePacket(tag: 0, chunks: [.initiation(sentInit)]) }
        case .cookieEchoed: if let cookieEchoPacket { controlPackets.append(cookieEchoPacket) }
        default: t1Deadline = nil
        }
    }

    /// T3-rtx (§6.3.3, §7.2.3): everything in flight is marked for retransmission, cwnd
    /// collapses to one MTU, the RTO backs off.
    mutating func t3Expired() {
        t3Deadline = nil
        statistics.t3Expirations += 1
        errorCount += 1
        if errorCount > configuration.maxRetransmissions {
            queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.violation("too many retransmissions")]))])
            terminate(.aborted(reason: "too many retransmissions"))
            return
        }
        // Two timeouts in a row without progress at a raised packet size: suspect a black hole
        // (RFC 8899 §4.3) and send at the base size, which every outstanding chunk fits.
        if mtu > baseMTU, errorCount >= 2 { pathMTUBlackHole() }
        ssthresh = max(cwnd / 2, 4 * mtu)
        cwnd = mtu
        partialBytesAcked = 0
        fastRecoveryExit = nil
        rto = min(rto * 2, configuration.rtoMax.nanosecondsClamped)
        var i = 0
        while i < outstanding.count {
            if outstanding[i].status == .inFlight { markForRetransmit(at: i) }
            i += 1
        }
        sortRetransmitQueue()
        if Serial.lt(lastCumAck, advancedPeerAckPoint) { forwardTSNNeeded = true }
        if !retransmitQueue.isEmpty || forwardTSNNeeded || flightSize > 0 {
            t3Deadline = now + .nanoseconds(rto)
        }
        burstFlightLimit = nil
    }

    /// Sends a heartbeat when idle; an unanswered previous one counts as an error.
    mutating func heartbeatDue() {
        heartbeatDeadline = now + configuration.heartbeatInterval + .nanoseconds(rto)
        guard state == .established else { return }
        if heartbeatOutstanding != nil {
            errorCount += 1
            if errorCount > configuration.maxRetransmissions {
                queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.violation("peer unreachable")]))])
                terminate(.aborted(reason: "peer unreachable (heartbeats unanswered)"))
                return
            }
        }
        guard flightSize == 0 else { return }  // T3 already probes the path
        let nonce = rng.next()
        var info = [UInt8]()
        for s in stride(from: 56, through: 0, by: -8) { info.append(UInt8(truncatingIfNeeded: nonce >> UInt64(s))) }
        heartbeatOutstanding = (nonce, now)
        pendingChunks.append(.heartbeat(HeartbeatChunk(info: info)))
    }
}
