import WireKit

/// Association setup (RFC 9260 §5): INIT, INIT ACK with a signed state cookie, COOKIE ECHO,
/// COOKIE ACK, and the collision cases of §5.2 that WebRTC needs (both sides connecting).
extension SCTPAssociation {
    /// Starts the association by sending INIT. Calling it on both sides is fine (the INITs
    /// collide and the association still forms once).
    public mutating func connect(now: Instant) throws(SCTPError) {
        self.now = now
        guard state == .closed else { throw .invalidState(state) }
        localTag = randomNonZero32()
        localInitialTSN = UInt32(truncatingIfNeeded: rng.next())
        let initChunk = ourInit(tag: localTag, initialTSN: localInitialTSN, cookie: nil)
        sentInit = initChunk
        queuePacket(tag: 0, chunks: [.initiation(initChunk)])
        state = .cookieWait
        t1Retransmits = 0
        t1Timeout = configuration.rtoInitial
        t1Deadline = now + t1Timeout
    }

    func ourInit(tag: UInt32, initialTSN: UInt32, cookie: [UInt8]?) -> InitChunk {
        InitChunk(initiateTag: tag, advertisedReceiverWindow: UInt32(clamping: configuration.receiveWindow),
                  outboundStreams: configuration.streams, inboundStreams: configuration.streams,
                  initialTSN: initialTSN, stateCookie: cookie)
    }

    /// Answers an INIT with an INIT ACK carrying a fresh signed cookie (§5.1, §5.2.1, §5.2.2).
    mutating func handleInit(_ chunk: InitChunk) {
        let tag: UInt32
        let tsn: UInt32
        switch state {
        case .cookieWait, .cookieEchoed:
            tag = localTag; tsn = localInitialTSN  // §5.2.1: same parameters as our own INIT
        case .closed:
            tag = randomNonZero32(); tsn = UInt32(truncatingIfNeeded: rng.next())
        default:
            // §5.2.2 (peer restart): answer with a new tag; a restart cookie is not honoured
            // (WebRTC never restarts an association), so the old association stays up.
            tag = randomNonZero32(); tsn = UInt32(truncatingIfNeeded: rng.next())
        }
        let cookie = StateCookie(localTag: tag, peerTag: chunk.initiateTag, localInitialTSN: tsn, peerInitialTSN: chunk.initialTSN,
                                 peerReceiverWindow: chunk.advertisedReceiverWindow, peerOutboundStreams: chunk.outboundStreams,
                                 peerInboundStreams: chunk.inboundStreams, peerSupportsForwardTSN: chunk.forwardTSNSupported,
                                 peerSupportsReconfig: chunk.supportsReconfig, createdAt: now.nanoseconds)
        let ack = ourInit(tag: tag, initialTSN: tsn, cookie: cookie.sealed(secret: configuration.cookieSecret))
        queuePacket(tag: chunk.initiateTag, chunks: [.initiationAck(ack)])
    }

    /// INIT ACK in COOKIE-WAIT: remember the peer, echo the cookie (§5.1 C).
    mutating func handleInitAck(_ chunk: InitChunk) {
        guard state == .cookieWait else { return }
        guard let cookie = chunk.stateCookie else {
            queuePacket(tag: chunk.initiateTag, chunks: [.abort(AbortChunk(causes: [ErrorCause(code: ErrorCause.missingMandatoryParameter)]))])
            terminate(.aborted(reason: "INIT ACK without state cookie"))
            return
        }
        peerTag = chunk.initiateTag
        adoptPeer(initialTSN: chunk.initialTSN, window: chunk.advertisedReceiverWindow, inbound: chunk.inboundStreams,
                  forwardTSN: chunk.forwardTSNSupported, reconfig: chunk.supportsReconfig)
        var w = ByteWriter(capacity: 128)
        SCTPPacket.writeHeader(sourcePort: configuration.localPort, destinationPort: configuration.remotePort, verificationTag: peerTag, into: &w)
        CookieEchoChunk(cookie: cookie).write(into: &w)
        var bytes = w.take()
        SCTPPacket.seal(&bytes)
        cookieEchoPacket = bytes
        controlPackets.append(bytes)
        state = .cookieEchoed
        t1Retransmits = 0
        t1Timeout = .nanoseconds(rto)
        t1Deadline = now + t1Timeout
    }

    /// Records what the peer announced in its INIT or INIT ACK.
    mutating func adoptPeer(initialTSN: UInt32, window: UInt32, inbound: UInt16, forwardTSN: Bool, reconfig: Bool) {
        peerInitialTSN = initialTSN
        cumulativeTSN = initialTSN &- 1
        peerRwnd = Int(window)
        outboundStreams = min(configuration.streams, inbound)
        peerSupportsForwardTSN = forwardTSN
        peerSupportsReconfig = reconfig
        reset.expectedPeerRequest = initialTSN
    }

    /// COOKIE ECHO: verify MAC and age, then establish or handle the collision (§5.1 D, §5.2.4).
    mutating func handleCookieEcho(_ chunk: CookieEchoChunk, packetTag: UInt32) {
        guard let cookie = StateCookie.open(chunk.cookie, secret: configuration.cookieSecret) else {
            statistics.badCookies += 1
            return
        }
        guard packetTag == cookie.localTag else { statistics.badTag += 1; return }
        let age = Int64(clamping: now.nanoseconds) - Int64(clamping: cookie.createdAt)
        if age > configuration.cookieLifetime.nanosecondsClamped {
            statistics.staleCookies += 1
            let staleness = UInt32(clamping: (age - configuration.cookieLifetime.nanosecondsClamped) / 1000)
            var info = [UInt8]()
            for s in stride(from: 24, through: 0, by: -8) { info.append(UInt8(truncatingIfNeeded: staleness >> UInt32(s))) }
            queuePacket(tag: cookie.peerTag, chunks: [.error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.staleCookie, info: info)]))])
            return
        }
        switch state {
        case .closed:
            localTag = cookie.localTag
            localInitialTSN = cookie.localInitialTSN
        case .cookieWait, .cookieEchoed:
            guard cookie.localTag == localTag else { return }  // not from an INIT ACK of ours for this attempt
        default:
            if cookie.localTag == localTag && cookie.peerTag == peerTag {
                queuePacket(tag: peerTag, chunks: [.cookieAck])  // our COOKIE ACK was lost (§5.2.4 D)
            }
            return
        }
        peerTag = cookie.peerTag
        adoptPeer(initialTSN: cookie.peerInitialTSN, window: cookie.peerReceiverWindow, inbound: cookie.peerInboundStreams,
                  forwardTSN: cookie.peerSupportsForwardTSN, reconfig: cookie.peerSupportsReconfig)
        pendingChunks.append(.cookieAck)
        establish()
    }

    /// COOKIE ACK in COOKIE-ECHOED: established.
    mutating func handleCookieAck() {
        guard state == .cookieEchoed else { return }
        establish()
    }

    /// ERROR chunks: a stale cookie during setup restarts with a new INIT (§5.2.6).
    mutating func handleError(_ chunk: ErrorChunk) {
        guard state == .cookieEchoed, chunk.causes.contains(where: { $0.code == ErrorCause.staleCookie }) else { return }
        t1Retransmits += 1
        if t1Retransmits > configuration.maxInitRetransmissions {
            terminate(.aborted(reason: "handshake failed: stale cookie"))
            return
        }
        state = .cookieWait
        cookieEchoPacket = nil
        if let sentInit { queuePacket(tag: 0, chunks: [.initiation(sentInit)]) }
        t1Deadline = now + t1Timeout
    }

    /// Sets up transmission state and reports `connected`.
    mutating func establish() {
        state = .established
        t1Deadline = nil
        sentInit = nil
        cookieEchoPacket = nil
        nextTSN = localInitialTSN
        lastCumAck = localInitialTSN &- 1
        advancedPeerAckPoint = lastCumAck
        reset.nextRequest = localInitialTSN
        cwnd = configuration.initialCwndPackets * mtu
        ssthresh = max(peerRwnd, 4 * mtu)
        lastAdvertisedRwnd = advertisedReceiveWindow
        heartbeatDeadline = now + configuration.heartbeatInterval
        events.append(.connected)
    }
}
