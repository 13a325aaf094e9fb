import WireKit

/// Association setup (RFC 9260 §5): INIT, INIT ACK with a signed state cookie, COOKIE ECHO,
/// COOKIE ACK, unexpected INITs (§5.2.1, §5.2.2) and stale cookies (§5.2.6). COOKIE ECHO and
/// the restart and collision cases of §5.2.4 are in `+Restart`.
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
        staleCookieRetries = 0
        t1Retransmits = 0
        t1Timeout = configuration.rtoInitial
        t1Deadline = now + t1Timeout
    }

    func ourInit(tag: UInt32, initialTSN: UInt32, cookie: [UInt8]?) -> InitChunk {
        var extensions = [ChunkType.reconfig, ChunkType.forwardTSN]
        if configuration.enableInterleaving { extensions += [ChunkType.iData, ChunkType.iForwardTSN] }
        var chunk = InitChunk(initiateTag: tag, advertisedReceiverWindow: UInt32(clamping: configuration.receiveWindow),
                              outboundStreams: configuration.streams, inboundStreams: configuration.streams,
                              initialTSN: initialTSN, stateCookie: cookie, supportedExtensions: extensions)
        chunk.zeroChecksumMethod = configuration.zeroChecksumMethod
        return chunk
    }

    /// Answers an INIT with an INIT ACK carrying a fresh signed cookie (§5.1, §5.2.1, §5.2.2).
    mutating func handleInit(_ chunk: InitChunk) {
        let tag: UInt32
        let tsn: UInt32
        var tieTags: (local: UInt32, peer: UInt32) = (0, 0)
        switch state {
        case .closed:
            tag = randomNonZero32(); tsn = UInt32(truncatingIfNeeded: rng.next())
        case .cookieWait:
            tag = localTag; tsn = localInitialTSN  // §5.2.1: same parameters as our own INIT
        case .cookieEchoed:
            tag = localTag; tsn = localInitialTSN
            tieTags = (localTag, peerTag)  // §5.2.1 note: COOKIE-ECHOED populates the tie-tags
        case .shutdownAckSent:
            // §9.2: discard the INIT and repeat the SHUTDOWN ACK (the peer may have missed it).
            pendingChunks.append(.shutdownAck)
            return
        case .established, .shutdownPending, .shutdownSent, .shutdownReceived:
            // §5.2.2: an unexpected INIT (a late duplicate, or the peer restarted). Answer with a
            // new tag and TSN, and the current tags as tie-tags: only a COOKIE ECHO of this
            // cookie can then restart the association (§5.2.4 A); the current one stays as is.
            tag = randomNonZero32(); tsn = UInt32(truncatingIfNeeded: rng.next())
            tieTags = (localTag, peerTag)
        }
        let maxExtension = configuration.maxCookieLifetimeExtension.nanosecondsClamped / 1_000_000
        let lifetime = configuration.cookieLifetime.nanosecondsClamped / 1_000_000
            + min(Int64(chunk.cookiePreservative ?? 0), maxExtension)
        let cookie = StateCookie(localTag: tag, peerTag: chunk.initiateTag, localInitialTSN: tsn, peerInitialTSN: chunk.initialTSN,
                                 peerReceiverWindow: chunk.advertisedReceiverWindow, peerOutboundStreams: chunk.outboundStreams,
                                 peerInboundStreams: chunk.inboundStreams, peerSupportsForwardTSN: chunk.forwardTSNSupported,
                                 peerSupportsReconfig: chunk.supportsReconfig, peerSupportsInterleaving: chunk.supportsInterleaving,
                                 peerAcceptsZeroChecksum: acceptsZeroChecksum(from: chunk),
                                 localTieTag: tieTags.local, peerTieTag: tieTags.peer,
                                 lifetimeMilliseconds: UInt32(clamping: lifetime), createdAt: now.nanoseconds)
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
                  forwardTSN: chunk.forwardTSNSupported, reconfig: chunk.supportsReconfig, interleaving: chunk.supportsInterleaving,
                  zeroChecksum: acceptsZeroChecksum(from: chunk))
        var w = ByteWriter(capacity: 128)
        SCTPPacket.writeHeader(sourcePort: configuration.localPort, destinationPort: configuration.remotePort, verificationTag: peerTag, into: &w)
        CookieEchoChunk(cookie: cookie).write(into: &w)
        var bytes = w.take()
        SCTPPacket.seal(&bytes)
        cookieEchoPacket = bytes
        cookieEchoSentAt = now
        controlPackets.append(bytes)
        state = .cookieEchoed
        t1Retransmits = 0
        t1Timeout = .nanoseconds(rto)
        t1Deadline = now + t1Timeout
    }

    /// Records what the peer announced in its INIT or INIT ACK.
    /// RFC 9653 §5.2: the peer's INIT or INIT ACK announced the method we run under.
    func acceptsZeroChecksum(from chunk: InitChunk) -> Bool {
        configuration.zeroChecksumMethod != nil && chunk.zeroChecksumMethod == configuration.zeroChecksumMethod
    }

    mutating func adoptPeer(initialTSN: UInt32, window: UInt32, inbound: UInt16, forwardTSN: Bool, reconfig: Bool, interleaving: Bool,
                            zeroChecksum: Bool) {
        self.interleaving = configuration.enableInterleaving && interleaving
        sendsZeroChecksum = zeroChecksum
        reassembly.interleaved = self.interleaving
        peerInitialTSN = initialTSN
        cumulativeTSN = initialTSN &- 1
        peerRwnd = Int(window)
        outboundStreams = min(configuration.streams, inbound)
        peerSupportsForwardTSN = forwardTSN
        peerSupportsReconfig = reconfig
        reset.expectedPeerRequest = initialTSN
    }

    /// COOKIE ACK in COOKIE-ECHOED: established.
    mutating func handleCookieAck() {
        guard state == .cookieEchoed else { return }
        establish()
    }

    /// ERROR chunks: a stale cookie during setup restarts with a new INIT carrying a Cookie
    /// Preservative: the reported staleness plus the measured round trip, and at most one
    /// second more (§5.2.6).
    mutating func handleError(_ chunk: ErrorChunk) {
        guard state == .cookieEchoed, let cause = chunk.causes.first(where: { $0.code == ErrorCause.staleCookie }) else { return }
        // Counted apart from T1 (which restarts at each INIT ACK), so a path that always
        // stales the cookie ends the attempt instead of looping.
        staleCookieRetries += 1
        if staleCookieRetries > configuration.maxInitRetransmissions {
            terminate(.aborted(reason: "handshake failed: stale cookie"))
            return
        }
        var stalenessMicroseconds: UInt64 = 0
        for b in cause.info.prefix(4) { stalenessMicroseconds = stalenessMicroseconds << 8 | UInt64(b) }
        let rttMilliseconds = cookieEchoSentAt.map { UInt64((now - $0).nanosecondsClamped / 1_000_000) } ?? 0
        let increment = (stalenessMicroseconds + 999) / 1000 + rttMilliseconds + 1000
        cookiePreservative = UInt32(clamping: max(increment, UInt64(cookiePreservative ?? 0)))
        state = .cookieWait
        cookieEchoPacket = nil
        cookieEchoSentAt = nil
        if var initChunk = sentInit {
            initChunk.cookiePreservative = cookiePreservative
            sentInit = initChunk
            queuePacket(tag: 0, chunks: [.initiation(initChunk)])
        }
        t1Deadline = now + t1Timeout
    }

    /// Sets up transmission state and reports `connected` (or, after a peer restart, nothing:
    /// the caller reported ``SCTPEvent/restarted``).
    mutating func establish(notify: Bool = true) {
        state = .established
        t1Deadline = nil
        sentInit = nil
        cookieEchoPacket = nil
        cookieEchoSentAt = nil
        cookiePreservative = nil
        nextTSN = localInitialTSN
        lastCumAck = localInitialTSN &- 1
        advancedPeerAckPoint = lastCumAck
        reset.nextRequest = localInitialTSN
        cwnd = configuration.initialCwndPackets * mtu
        ssthresh = max(peerRwnd, 4 * mtu)
        lastAdvertisedRwnd = advertisedReceiveWindow
        heartbeatDeadline = now + configuration.heartbeatInterval
        if pathMTUAllowed { pathMTUSearch.start(now: now) }
        if notify { events.append(.connected) }
    }
}
