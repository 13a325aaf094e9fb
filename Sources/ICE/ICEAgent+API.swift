import STUN
import WireKit

extension ICEAgent {
    /// Sets the peer's ufrag and password. New credentials after earlier ones mean the peer
    /// restarted ICE: its old candidates are forgotten (the selected pair keeps carrying data).
    public func setRemoteCredentials(_ credentials: ICECredentials) {
        guard connectionState != .closed else { return }
        if let old = remoteCredentials, old != credentials {
            resetChecks()
        }
        remoteCredentials = credentials
        if !remotes.isEmpty { scheduleChecks() }
    }

    /// Adds a remote candidate (trickled or from the SDP). Candidates of another generation
    /// (their `ufrag` differs from the remote credentials) are ignored; `.local` mDNS names are
    /// ignored with a debug event unless ``resolveHostname(_:to:)`` gave an address for them.
    public func addRemoteCandidate(_ candidate: Candidate) {
        guard connectionState != .closed else { return }
        var candidate = candidate
        if let ufrag = candidate.ufrag, let remote = remoteCredentials, ufrag != remote.ufrag {
            emit(.debug("ignored a candidate of an older generation (ufrag \(ufrag))"))
            return
        }
        guard candidate.transport.lowercased() == "udp", candidate.component == 1 else { return }
        if let name = candidate.hostname {
            guard let ip = resolvedNames[name.lowercased()] else {
                counters.mdnsCandidatesIgnored += 1
                emit(.debug("ignored mDNS candidate \(name): not resolvable"))
                return
            }
            candidate.address.ip = ip
        }
        if let existing = remotes.firstIndex(where: { TransportAddressKey($0.address) == TransportAddressKey(candidate.address) }) {
            // A signalled candidate replaces a peer-reflexive one learnt earlier (§7.3.1.3).
            if remotes[existing].type == .peerReflexive { remotes[existing] = candidate }
            return
        }
        remotes.append(candidate)
        for i in locals.indices { pair(localIndex: i, remote: candidate) }
    }

    /// Adds a remote candidate from its SDP line.
    public func addRemoteCandidate(sdp line: String) throws(ICEParseError) {
        addRemoteCandidate(try Candidate(sdp: line))
    }

    /// The peer signalled end-of-candidates: once every pair has failed, the agent fails.
    public func setRemoteGatheringComplete() {
        remoteGatheringComplete = true
        updateStateAfterChecks()
    }

    /// Tells the agent the address of an mDNS `.local` name, so candidates using it are usable.
    public func resolveHostname(_ name: String, to address: IPAddress) {
        resolvedNames[name.lowercased()] = address
    }

    /// Sends an application datagram on the selected pair (through TURN when it is relayed).
    public func send(data: [UInt8], now: Instant) throws(ICEError) {
        self.now = max(self.now, now)
        guard connectionState != .closed else { throw .closed }
        // Only the route and the remote address: copying the whole selected pair (candidates,
        // credentials) per datagram cost ~3 % of a bulk sender's CPU.
        guard connectionState != .failed, let route = selected?.route,
              let remote = selected?.pair.remote.address else { throw .noSelectedPair }
        counters.dataSent += 1
        send(data, route: route, to: remote)
    }

    /// Where ``send(data:now:)`` would send an application datagram when the selected pair is
    /// direct (not relayed through TURN): the local socket and the remote address. Drivers
    /// that write sealed records straight into their socket buffers send there, and count
    /// each datagram with ``noteDirectDataSent()``. Nil when there is no usable selected pair
    /// or it is relayed (use ``send(data:now:)`` then).
    public func directDataRoute() -> (source: TransportAddress, destination: TransportAddress)? {
        // Field by field through optional chaining, as in send(data:now:): matching on the
        // optional pair copied the whole SelectedPair per datagram.
        guard connectionState != .closed, connectionState != .failed, let route = selected?.route,
              case .direct(let socket) = route, let remote = selected?.pair.remote.address else { return nil }
        return (socket, remote)
    }

    /// Counts one application datagram a driver sent itself on ``directDataRoute()``.
    public func noteDirectDataSent() { counters.dataSent += 1 }

    /// ICE restart (§9): new local credentials, a fresh checklist; candidates are signalled again
    /// with the new ufrag. Data keeps flowing on the selected pair until the new generation
    /// selects one.
    public func restart() {
        guard connectionState != .closed else { return }
        previousLocalCredentials = localCredentials
        localCredentials = .random(using: &rng)
        generation += 1
        resetChecks()
        remoteCredentials = nil
        if connectionState == .failed { selected = nil; setConnectionState(.checking) }
        if gatheringStarted {
            setGatheringState(.gathering)
            for i in locals.indices where locals[i].candidate.type != .peerReflexive {
                locals[i].candidate.ufrag = localCredentials.ufrag
                if isAllowed(locals[i].candidate) { emit(.candidateGathered(locals[i].candidate)) }
            }
            checkGatheringComplete()
            if gatheringState == .gathering { setGatheringState(.complete) }
        }
    }

    /// Stops everything: no more transmits (TURN allocations are released), state `closed`.
    public func close() {
        guard connectionState != .closed else { return }
        releaseAllocations()
        transactions.removeAll()
        nextCheckAt = nil
        nominationAt = nil
        selected = nil
        setConnectionState(.closed)
    }

    /// Forgets remote candidates and pairs of the current generation (keeps the selected pair).
    func resetChecks() {
        for (id, p) in transactions {
            if case .check = p.purpose { transactions[id] = nil }
        }
        checklist.removeAll()
        remotes.removeAll()
        remoteGatheringComplete = false
        nominationAt = nil
        nextCheckAt = nil
        checkingSince = now
        allFailedSince = nil
        locals.removeAll { $0.candidate.type == .peerReflexive }
    }
}
