import DTLS
import ICE
import SDP
import WireKit

/// The JSEP API (W3C `createOffer`, `createAnswer`, `setLocalDescription`,
/// `setRemoteDescription`, `addIceCandidate`, `restartIce`, `close`).
extension PeerConnection {
    /// W3C `createOffer()`: an offer with one data section (plus rejected sections kept from
    /// earlier exchanges). After `restartIce()` the offer carries new ICE credentials.
    public func createOffer() throws(PeerConnectionError) -> SessionDescriptionInit {
        guard !isClosed else { throw .invalidState("connection closed") }
        if iceRestartPending, let ice {
            ice.restart()
            iceRestartPending = false
            localCandidateLines.removeAll()
            pump()
        }
        let sdp = buildOffer()
        lastCreatedOffer = sdp
        return SessionDescriptionInit(type: .offer, sdp: sdp)
    }

    /// W3C `createAnswer()`: answers the pending remote offer.
    public func createAnswer() throws(PeerConnectionError) -> SessionDescriptionInit {
        guard !isClosed else { throw .invalidState("connection closed") }
        guard signalingState == .haveRemoteOffer || signalingState == .haveLocalPranswer, let offer = pendingRemoteDescription else {
            throw .invalidState("createAnswer in \(signalingState.rawValue)")
        }
        let (session, _) = try parseRemote(offer.sdp)
        let sdp = try buildAnswer(to: session)
        lastCreatedAnswer = sdp
        return SessionDescriptionInit(type: .answer, sdp: sdp)
    }

    /// W3C `setLocalDescription()` without arguments: creates the offer or answer the
    /// signaling state calls for and applies it. Returns it (to be signalled).
    @discardableResult
    public func setLocalDescription() throws(PeerConnectionError) -> SessionDescriptionInit {
        switch signalingState {
        case .stable, .haveLocalOffer, .haveRemotePranswer:
            let offer = try createOffer()
            try setLocalDescription(offer)
            return offer
        case .haveRemoteOffer, .haveLocalPranswer:
            let answer = try createAnswer()
            try setLocalDescription(answer)
            return answer
        case .closed:
            throw .invalidState("connection closed")
        }
    }

    /// W3C `setLocalDescription(description)`. The SDP must be the one last created
    /// (JSEP forbids munging); `rollback` undoes a pending local offer.
    public func setLocalDescription(_ description: SessionDescriptionInit) throws(PeerConnectionError) {
        guard !isClosed else { throw .invalidState("connection closed") }
        switch description.type {
        case .rollback:
            guard signalingState == .haveLocalOffer else { throw .invalidState("rollback in \(signalingState.rawValue)") }
            rollbackLocalOffer()
        case .offer:
            guard signalingState == .stable || signalingState == .haveLocalOffer else {
                throw .invalidState("local offer in \(signalingState.rawValue)")
            }
            let sdp = description.sdp.isEmpty ? (lastCreatedOffer ?? buildOffer()) : description.sdp
            guard sdp == lastCreatedOffer else { throw .invalidModification }
            pendingLocalDescription = SessionDescriptionInit(type: .offer, sdp: sdp)
            ensureICEAgent(role: .controlling)
            setSignalingState(.haveLocalOffer)
            startGathering()
        case .answer, .pranswer:
            guard signalingState == .haveRemoteOffer || signalingState == .haveLocalPranswer else {
                throw .invalidState("local answer in \(signalingState.rawValue)")
            }
            let sdp = description.sdp.isEmpty ? (lastCreatedAnswer ?? "") : description.sdp
            guard sdp == lastCreatedAnswer, let offer = pendingRemoteDescription else { throw .invalidModification }
            let local: SessionDescription
            do { local = try SessionDescription(parsing: sdp) } catch { throw .invalidDescription(error.description) }
            let (remoteSession, remote) = try parseRemote(offer.sdp)
            if description.type == .pranswer {
                pendingLocalDescription = SessionDescriptionInit(type: .pranswer, sdp: sdp)
                setSignalingState(.haveLocalPranswer)
            } else {
                currentLocalDescription = SessionDescriptionInit(type: .answer, sdp: sdp)
                currentRemoteDescription = offer
                pendingLocalDescription = nil
                pendingRemoteDescription = nil
                recordSections(from: remoteSession, dataIndex: remote.index)
            }
            let role: DTLSRole = local.setup(forMediaAt: remote.index) == .passive ? .server : .client
            try setUpSecureTransport(role: role)
            startGathering()
            if description.type == .answer {
                finishMediaNegotiation()
                setSignalingState(.stable)
            }
        }
        pump()
    }

    /// W3C `setRemoteDescription(description)`. An offer in `have-local-offer` rolls the
    /// local offer back first (the polite peer's move in perfect negotiation).
    public func setRemoteDescription(_ description: SessionDescriptionInit) throws(PeerConnectionError) {
        guard !isClosed else { throw .invalidState("connection closed") }
        switch description.type {
        case .rollback:
            guard signalingState == .haveRemoteOffer else { throw .invalidState("rollback in \(signalingState.rawValue)") }
            pendingRemoteDescription = nil
            if currentRemoteDescription == nil, ice?.remoteCredentials != nil {
                // The first remote offer is undone: forget what it taught ICE.
                ice?.close()
                ice = nil
                gatheringStarted = false
                remoteFingerprints = []
            }
            setSignalingState(.stable)
        case .offer:
            if signalingState == .haveLocalOffer { rollbackLocalOffer() }
            guard signalingState == .stable || signalingState == .haveRemoteOffer else {
                throw .invalidState("remote offer in \(signalingState.rawValue)")
            }
            let (remoteSession, remote) = try parseRemote(description.sdp)
            pendingRemoteDescription = description
            ensureICEAgent(role: .controlled)
            try applyRemote(remote, isOffer: true)
            applyRemoteMedia(remoteSession, isOffer: true)
            setSignalingState(.haveRemoteOffer)
        case .answer, .pranswer:
            guard signalingState == .haveLocalOffer || signalingState == .haveRemotePranswer, let offer = pendingLocalDescription else {
                throw .invalidState("remote answer in \(signalingState.rawValue)")
            }
            let (remoteSession, remote) = try parseRemote(description.sdp)
            let local: SessionDescription
            do { local = try SessionDescription(parsing: offer.sdp) } catch { throw .invalidDescription(error.description) }
            guard remote.index < local.media.count, local.media[remote.index].isDataChannel else {
                throw .invalidDescription("the answer's data section does not match the offer's")
            }
            try applyRemote(remote, isOffer: false)
            applyRemoteMedia(remoteSession, isOffer: false)
            let role: DTLSRole
            switch remote.setup {
            case .active?: role = .server
            case .passive?: role = .client
            default: throw .invalidDescription("an answer must carry a=setup:active or a=setup:passive")
            }
            if description.type == .pranswer {
                pendingRemoteDescription = description
                try setUpSecureTransport(role: role)
                setSignalingState(.haveRemotePranswer)
            } else {
                currentRemoteDescription = description
                currentLocalDescription = offer
                pendingLocalDescription = nil
                pendingRemoteDescription = nil
                recordSections(from: local, dataIndex: remote.index)
                try setUpSecureTransport(role: role)
                finishMediaNegotiation()
                setSignalingState(.stable)
            }
        }
        pump()
    }

    /// Applies the peer's ICE credentials, candidates, fingerprints and SCTP parameters.
    func applyRemote(_ remote: RemoteTransport, isOffer: Bool) throws(PeerConnectionError) {
        guard let ice else { throw .invalidState("no ICE agent") }
        if let old = ice.remoteCredentials, old != remote.credentials, isOffer {
            // The peer restarted ICE: so do we (RFC 8839 §4.4.1.1.1: the answer gets new credentials).
            ice.restart()
            localCandidateLines.removeAll()
        }
        ice.setRemoteCredentials(remote.credentials)
        for line in remote.candidates {
            do { try ice.addRemoteCandidate(sdp: line) } catch { continue }
        }
        if remote.endOfCandidates { ice.setRemoteGatheringComplete() }
        if let dtls, dtls.state == .connected || dtls.state == .connecting, remote.fingerprints != remoteFingerprints,
           !remoteFingerprints.isEmpty {
            throw .invalidDescription("the peer's certificate fingerprint changed on a running DTLS association")
        }
        remoteFingerprints = remote.fingerprints
        dtls?.setRemoteFingerprints(remote.fingerprints)
        remoteSCTPPort = remote.sctpPort
        remoteMaxMessageSize = remote.maxMessageSize
        remoteRecordSizeLimit = remote.recordSizeLimit
        canTrickleICECandidates = remote.trickle
        dataMid = remote.mid
        dataMLineIndex = remote.index
    }

    /// Undoes a pending local offer (explicit rollback, or implicitly on glare).
    func rollbackLocalOffer() {
        pendingLocalDescription = nil
        if currentRemoteDescription == nil, let ice, ice.remoteCredentials == nil {
            // The first offer never met the peer: start over as the controlled side,
            // with the same sockets (candidates are trickled again).
            ice.close()
            self.ice = nil
            gatheringStarted = false
            localCandidateLines.removeAll()
            iceGatheringState = .new
        }
        setSignalingState(.stable)
    }

    /// W3C `addIceCandidate`: a trickled remote candidate, or end-of-candidates when empty.
    public func addIceCandidate(_ candidate: ICECandidateInit?) throws(PeerConnectionError) {
        guard !isClosed else { throw .invalidState("connection closed") }
        guard remoteDescription != nil, let ice else { throw .invalidState("addIceCandidate before setRemoteDescription") }
        if let ufrag = candidate?.usernameFragment, let current = ice.remoteCredentials?.ufrag, ufrag != current {
            return  // a candidate of an older generation: ignored (W3C allows dropping it)
        }
        guard let text = candidate?.candidate, !text.isEmpty else {
            ice.setRemoteGatheringComplete()
            pump()
            return
        }
        do { try ice.addRemoteCandidate(sdp: text) } catch { throw .invalidCandidate(error.description) }
        pump()
    }

    /// W3C `restartIce()`: the next offer restarts ICE; fires `negotiationneeded`.
    public func restartIce() {
        guard !isClosed else { return }
        iceRestartPending = true
        negotiationNeededFired = false
        updateNegotiationNeeded()
    }

    /// W3C `close()`: aborts the association, closes DTLS (close_notify) and ICE. No state
    /// events fire (as in the spec); channels report nothing either.
    public func close() {
        guard !isClosed else { return }
        sctp?.abort(reason: "peer connection closed", now: now)
        if let dtls, dtls.state == .connected {
            while sctp?.pollTransmit(into: &sctpPacket) == true { try? dtls.send(sctpPacket) }
        }
        dtls?.close()
        if let dtls {
            while let record = dtls.pollTransmit() { try? ice?.send(data: record, now: now) }
        }
        if let ice { while let t = ice.pollTransmit() { outgoing.append(t) } }
        ice?.close()
        for h in channels.keys { channels[h]?.state = .closed }
        isClosed = true
        signalingState = .closed
        iceConnectionState = .closed
        connectionState = .closed
    }

    // MARK: Helpers

    func ensureICEAgent(role: ICERole) {
        guard ice == nil else { return }
        var c = ICEConfiguration(role: role, stunServers: configuration.stunServers, turnServers: configuration.turnServers,
                                 transportPolicy: configuration.iceTransportPolicy, seed: rng.next(),
                                 localCredentials: initialCredentials)
        c.checkInterval = configuration.iceCheckInterval
        c.nominationDelay = configuration.iceNominationDelay
        let agent = ICEAgent(configuration: c)
        agent.handle(timeout: now)  // sets the agent's clock before any API call schedules work
        for address in interfaces { agent.addLocalInterface(address) }
        ice = agent
    }

    func startGathering() {
        guard let ice, !gatheringStarted else { return }
        gatheringStarted = true
        ice.startGathering(now: now)
    }

    func setSignalingState(_ state: SignalingState) {
        guard state != signalingState else { return }
        signalingState = state
        emit(.signalingStateChange(state))
        if state == .stable {
            negotiationNeededFired = false
            updateNegotiationNeeded()
        }
    }

    /// True while a negotiation is needed (a data section not yet negotiated while channels
    /// exist, a pending ICE restart, or media changes), whatever the signaling state. An
    /// asynchronous user checks it before acting on a `negotiationNeeded` event that may have
    /// been overtaken by the peer's offer (W3C checks the flag again before firing).
    public var isNegotiationNeeded: Bool {
        guard !isClosed else { return false }
        let needsData = !channels.isEmpty && !sections.contains(where: \.isData)
        return needsData || iceRestartPending || mediaNeedsNegotiation
    }

    /// W3C "update the negotiation-needed flag", simplified to what a data-only connection
    /// can need: a data section not yet negotiated while channels exist, or a pending ICE restart.
    func updateNegotiationNeeded() {
        guard signalingState == .stable, !negotiationNeededFired, isNegotiationNeeded else { return }
        negotiationNeededFired = true
        emit(.negotiationNeeded)
    }
}
