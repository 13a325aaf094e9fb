import DataChannel
import DTLS
import ICE
import SCTP
import WireKit

extension PeerConnection {
    /// Moves data between the layers until none has anything more to say:
    /// ICE events (candidates, states, DTLS datagrams) → DTLS → SCTP → data channel events,
    /// and SCTP packets → DTLS records → ICE datagrams → `outgoing`.
    func pump() {
        guard !isClosed else { return }
        var progress = true
        while progress {
            progress = false
            if let ice {
                while let event = ice.pollEvent() {
                    progress = true
                    process(event)
                }
            }
            if let dtls {
                while let event = dtls.pollEvent() {
                    progress = true
                    process(event)
                }
                if dtls.state == .connected, sctp != nil {
                    if !sctpStarted { startSCTP() }
                    followPathMTU(dtls)  // before sending: packets of a new size may follow
                    // Left in SCTP for ``pollSealedTransmit(_:)`` when the driver seals directly.
                    while directSealingRoute == nil, sctp?.pollTransmit(into: &sctpPacket) == true {
                        progress = true
                        do {
                            try dtls.send(sctpPacket)
                            counters.dtlsRecordsSent += 1
                        } catch {
                            break
                        }
                    }
                    while !receivePaused, let event = sctp?.pollEvent() {
                        progress = true
                        process(event)
                    }
                }
                while let record = dtls.pollTransmit() {
                    progress = true
                    do { try ice?.send(data: record, now: now) } catch { break }
                }
            }
            if let ice {
                while let t = ice.pollTransmit() {
                    outgoing.append(t)
                }
            }
        }
        updateConnectionState()
    }

    func process(_ event: ICEEvent) {
        switch event {
        case .candidateGathered(let c):
            let line = c.sdpLine
            localCandidateLines.append(line)
            emit(.iceCandidate(ICECandidateInit(candidate: line, sdpMid: dataMid ?? "0", sdpMLineIndex: dataMLineIndex,
                                                usernameFragment: c.ufrag ?? ice?.localCredentials.ufrag)))
        case .gatheringStateChanged(let s):
            guard s != iceGatheringState else { return }
            iceGatheringState = s
            emit(.iceGatheringStateChange(s))
            if s == .complete { emit(.iceCandidate(nil)) }
        case .connectionStateChanged(let s):
            guard s != iceConnectionState else { return }
            iceConnectionState = s
            emit(.iceConnectionStateChange(s))
            startDTLSIfReady()
        case .selectedPairChanged(let local, let remote):
            counters.selectedPairChanges += 1
            emit(.selectedCandidatePairChange(local: local, remote: remote))
            updatePathMTUPolicy()
            startDTLSIfReady()
        case .roleChanged:
            break
        case .data(let datagram):
            if PacketKind.classify(datagram) == .dtls, let dtls {
                counters.dtlsRecordsReceived += 1
                dtls.handle(datagram: datagram, now: now)
            } else if PacketKind.classify(datagram) == .rtpOrRTCP {
                handleMediaDatagram(datagram)
            } else {
                counters.nonDTLSDropped += 1
            }
        case .serverError(let error):
            switch error {
            case .turnAllocationFailed(let server, let code, let reason):
                emit(.iceCandidateError(url: "turn:\(server)", errorCode: code, errorText: reason))
            case .serverTimeout(let server):
                emit(.iceCandidateError(url: server, errorCode: 701, errorText: "no response from server"))
            default:
                emit(.iceCandidateError(url: "", errorCode: 701, errorText: error.description))
            }
        case .debug:
            break
        }
    }

    func process(_ event: DTLSEvent) {
        switch event {
        case .stateChanged(let s):
            switch s {
            case .connected:
                if sctp != nil, !sctpStarted { startSCTP() }
                startSRTPIfReady()
            case .closed:
                if sctpStarted, sctp != nil { process(.disconnected(reason: "DTLS closed")) }
            case .failed, .new, .connecting:
                break
            }
        case .applicationData(let packet):
            sctp?.handle(packet: packet, now: now)
        case .error:
            break
        }
    }

    /// PLPMTUD probes only direct paths: a TURN relay (or no selected pair yet) keeps SCTP
    /// at the base packet size.
    func updatePathMTUPolicy() {
        guard configuration.pathMTUDiscovery, let ice else { return }
        sctp?.association.setPathMTUDiscovery(enabled: ice.selectedPair == nil || ice.directDataRoute() != nil, now: now)
    }

    /// DTLS's record limit follows the SCTP packet size PLPMTUD settled on.
    func followPathMTU(_ dtls: DTLSEndpoint) {
        guard let size = sctp?.association.pathMTU, size != recordMTUPacketSize else { return }
        recordMTUPacketSize = size
        dtls.setRecordMTU(size + PeerConnectionConfiguration.dtlsRecordOverhead)
    }

    /// Starts the DTLS handshake once ICE has a selected pair and the role is known.
    func startDTLSIfReady() {
        guard let dtls, dtls.state == .new, let ice, ice.selectedPair != nil,
              iceConnectionState == .connected || iceConnectionState == .completed else { return }
        dtls.start(now: now)
    }

    /// DTLS is up: the DTLS client opens the association (RFC 8261 §4).
    func startSCTP() {
        sctpStarted = true
        if dtlsRole == .client {
            do { try sctp?.connect(now: now) } catch { /* already connecting */ }
        }
    }

    /// Creates DTLS and SCTP once an offer/answer exchange has fixed the DTLS role.
    func setUpSecureTransport(role: DTLSRole) throws(PeerConnectionError) {
        if let existing = dtlsRole {
            guard existing == role else { throw .invalidDescription("a=setup changes the DTLS role of a running connection") }
            dtls?.setRemoteFingerprints(remoteFingerprints)
            return
        }
        var config = DTLSConfiguration(role: role, identity: configuration.identity, remoteFingerprints: remoteFingerprints)
        config.mtu = configuration.dtlsMTU
        do {
            dtls = try DTLSEndpoint(configuration: config)
        } catch {
            throw .operation(error.description)
        }
        dtlsRole = role
        var sctpConfig = configuration.sctp
        sctpConfig.localPort = configuration.sctpPort
        sctpConfig.remotePort = remoteSCTPPort
        sctpConfig.maxPacketSize = configuration.baseSCTPPacketSize
        sctpConfig.pathMTUProbeSizes = configuration.pathMTUProbeSizes(peerRecordLimit: remoteRecordSizeLimit)
        sctpConfig.maxReceiveMessageSize = max(sctpConfig.maxReceiveMessageSize, configuration.maxMessageSize)
        sctpConfig.receiveWindow = max(sctpConfig.receiveWindow, sctpConfig.maxReceiveMessageSize)
        let remoteLimit = remoteMaxMessageSize ?? 65_536
        sctpConfig.maxSendMessageSize = remoteLimit == 0 ? sctpConfig.maxStreamSendQueue : remoteLimit
        // DTLS's AEAD authenticates every SCTP packet: RFC 9653 zero checksum with peers that
        // announce it too (CRC-32C with the others).
        sctpConfig.zeroChecksumMethod = InitChunk.zeroChecksumOverDTLS
        sctpConfig.randomSeed = rng.next()
        var secret = [UInt8](repeating: 0, count: 32)
        for i in secret.indices { secret[i] = UInt8(truncatingIfNeeded: rng.next()) }
        sctpConfig.cookieSecret = secret
        sctp = DataChannelManager(role: role == .client ? .client : .server, configuration: sctpConfig)
        attachPendingChannels()
        updatePathMTUPolicy()
        startDTLSIfReady()
    }

    /// W3C "update the connection state": derived from the ICE and DTLS transport states.
    func updateConnectionState() {
        let new = derivedConnectionState()
        guard new != connectionState else { return }
        connectionState = new
        emit(.connectionStateChange(new))
    }

    func derivedConnectionState() -> PeerConnectionState {
        if isClosed { return .closed }
        let d = dtls?.state ?? .new
        if iceConnectionState == .failed || d == .failed { return .failed }
        if iceConnectionState == .disconnected { return .disconnected }
        let iceIdle = iceConnectionState == .new || iceConnectionState == .closed
        let dtlsIdle = d == .new || d == .closed
        if iceIdle && dtlsIdle { return .new }
        if iceConnectionState == .new || iceConnectionState == .checking || d == .new || d == .connecting { return .connecting }
        return .connected
    }
}
