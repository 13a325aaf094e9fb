import WireKit

/// COOKIE ECHO handling (RFC 9260 §5.1 D, §5.1.5) and, when an association already exists,
/// the action table of §5.2.4: peer restart (A), INIT collision with a new peer tag (B), a
/// late cookie (C) and a duplicate COOKIE ECHO (D).
extension SCTPAssociation {
    /// What §5.2.4 says to do with a valid cookie when a TCB exists.
    enum CookieAction: Equatable {
        /// (A) The peer restarted: reset and re-establish with the cookie's tags.
        case restart
        /// (B) Collision: take the peer's new tag from the cookie, establish, COOKIE ACK.
        case adoptPeerTag
        /// (C) A late cookie of an earlier attempt: drop it silently.
        case discardLate
        /// (D) Both tags match: establish if not yet, COOKIE ACK.
        case duplicate
        /// No row of the table matches: drop silently.
        case discard
    }

    /// The §5.2.4 table (Table 7 of RFC 9260): our current tags against the cookie's tags
    /// and tie-tags. A tag of 0 in COOKIE-WAIT means the peer's tag is not yet known.
    func cookieAction(_ cookie: StateCookie) -> CookieAction {
        let localMatch = cookie.localTag == localTag
        let peerMatch = peerTag != 0 && cookie.peerTag == peerTag
        let tieMatch = cookie.localTieTag == localTag && cookie.peerTieTag == peerTag && peerTag != 0
        let noTieTags = cookie.localTieTag == 0 && cookie.peerTieTag == 0
        switch (localMatch, peerMatch) {
        case (false, false) where tieMatch: return .restart
        case (true, false): return .adoptPeerTag
        case (false, true) where noTieTags: return .discardLate
        case (true, true): return .duplicate
        default: return .discard
        }
    }

    /// COOKIE ECHO: verify MAC, tag and age, then establish, or apply §5.2.4 when an
    /// association exists.
    mutating func handleCookieEcho(_ chunk: CookieEchoChunk, packetTag: UInt32) {
        guard let cookie = StateCookie.open(chunk.cookie, secret: configuration.cookieSecret) else {
            statistics.badCookies += 1
            return
        }
        guard packetTag == cookie.localTag else { statistics.badTag += 1; return }
        let age = Int64(clamping: now.nanoseconds) - Int64(clamping: cookie.createdAt)
        let lifetime = Int64(cookie.lifetimeMilliseconds) * 1_000_000
        if age > lifetime {
            statistics.staleCookies += 1
            let staleness = UInt32(clamping: (age - lifetime) / 1000)
            var info = [UInt8]()
            for s in stride(from: 24, through: 0, by: -8) { info.append(UInt8(truncatingIfNeeded: staleness >> UInt32(s))) }
            queuePacket(tag: cookie.peerTag, chunks: [.error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.staleCookie, info: info)]))])
            return
        }
        if state == .closed {
            localTag = cookie.localTag
            localInitialTSN = cookie.localInitialTSN
            adopt(cookie)
            return
        }
        switch cookieAction(cookie) {
        case .restart:
            guard state != .shutdownAckSent else {
                // §5.2.4 A: no new association while shutting down; repeat the SHUTDOWN ACK.
                queuePacket(tag: cookie.peerTag, chunks: [.shutdownAck,
                                                           .error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.cookieWhileShuttingDown)]))])
                return
            }
            restart(with: cookie)
        case .adoptPeerTag:
            switch state {
            case .cookieWait, .cookieEchoed:
                adopt(cookie)
            default:
                // Already established with this local tag: the peer's association is the one
                // in the cookie (it started over after answering our INIT). Take its tag and
                // its sequence numbers; nothing of its old tag can have reached us.
                peerTag = cookie.peerTag
                adoptPeer(cookie)
                queuePacket(tag: peerTag, chunks: [.cookieAck])
            }
        case .duplicate:
            switch state {
            case .cookieWait, .cookieEchoed: adopt(cookie)
            default: queuePacket(tag: peerTag, chunks: [.cookieAck])  // our COOKIE ACK was lost
            }
        case .discardLate, .discard:
            statistics.discardedCookies += 1
        }
    }

    /// Takes the peer's parameters from the cookie, answers COOKIE ACK and establishes.
    mutating func adopt(_ cookie: StateCookie) {
        peerTag = cookie.peerTag
        adoptPeer(cookie)
        pendingChunks.append(.cookieAck)
        establish()
    }

    mutating func adoptPeer(_ cookie: StateCookie) {
        adoptPeer(initialTSN: cookie.peerInitialTSN, window: cookie.peerReceiverWindow, inbound: cookie.peerInboundStreams,
                  forwardTSN: cookie.peerSupportsForwardTSN, reconfig: cookie.peerSupportsReconfig,
                  interleaving: cookie.peerSupportsInterleaving, zeroChecksum: cookie.peerAcceptsZeroChecksum)
    }

    /// §5.2.4 A: the peer restarted. The old association ends as if aborted, except that the
    /// owner hears ``SCTPEvent/restarted`` instead; the new one starts from the cookie with
    /// fresh streams, TSNs and congestion state (queued and unacknowledged data is dropped:
    /// the peer has no streams to put it in).
    mutating func restart(with cookie: StateCookie) {
        statistics.restarts += 1
        // Send side.
        outstanding.removeAll(); retransmitQueue.removeAll()
        outStreams.removeAll(); scheduler.removeAll(); currentStream = nil
        queuedBytes = 0; flightSize = 0; partialBytesAcked = 0
        fastRecoveryExit = nil; fastRetransmitPending = false; burstFlightLimit = nil
        forwardTSNNeeded = false
        srtt = nil; rttvar = 0; rto = configuration.rtoInitial.nanosecondsClamped
        errorCount = 0
        // Receive side (messages already reported as events stay with the owner).
        receivedRanges.removeAll(); duplicateTSNs.removeAll()
        sackImmediately = false; sackDelayed = false; dataPacketsSinceSack = 0
        reassembly = ReassemblyQueue(maxMessageSize: configuration.maxReceiveMessageSize)
        // Control.
        reset = StreamResetState()
        t2Deadline = nil; t3Deadline = nil; delayedAckDeadline = nil
        heartbeatOutstanding = nil
        pendingChunks.removeAll()
        controlPackets.removeAll()
        localTag = cookie.localTag
        localInitialTSN = cookie.localInitialTSN
        peerTag = cookie.peerTag
        adoptPeer(cookie)
        pendingChunks.append(.cookieAck)
        events.append(.restarted)
        establish(notify: false)
    }
}
