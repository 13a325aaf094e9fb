import STUN
import WireKit

extension ICEAgent {
    /// Pairs a local candidate with a remote one of the same address family (§6.1.2.2).
    @discardableResult
    func pair(localIndex: Int, remote: Candidate, state: CandidatePair.State = .frozen) -> Int? {
        let local = locals[localIndex]
        guard local.isPairable, isAllowed(local.candidate), local.candidate.address.ip.isIPv4 == remote.address.ip.isIPv4,
              local.candidate.component == remote.component else { return nil }
        if case .relay(let a) = local.route {
            guard relayCanReach(allocation: a, peer: remote.address.ip) else { return nil }
            ensurePermission(allocation: a, peer: remote.address.ip)
        }
        let id = checklist.add(local: local.candidate, localIndex: localIndex, remote: remote, role: role, state: state)
        if state == .frozen { checklist.unfreezeInitial() }
        scheduleChecks()
        return id
    }

    /// Makes the Ta pacer run as soon as possible if it is idle.
    func scheduleChecks() {
        guard remoteCredentials != nil, connectionState != .closed, connectionState != .failed else { return }
        if nextCheckAt == nil { nextCheckAt = now }
        if connectionState == .new {
            checkingSince = now
            setConnectionState(.checking)
        }
    }

    /// One tick of the Ta pacer: send the next triggered or ordinary check (§6.1.4.2).
    func paceCheck() {
        guard remoteCredentials != nil, let id = checklist.nextCheck(isReady: isReadyToCheck) else {
            nextCheckAt = nil
            return
        }
        sendCheck(pairID: id)
        nextCheckAt = now + configuration.checkInterval
    }

    /// A relayed pair is checked only once its TURN permission is installed: a Send indication
    /// before that is dropped by the server (RFC 8656 §9), wasting the check's first RTO.
    func isReadyToCheck(_ pair: CandidatePair) -> Bool {
        guard case .relay(let a) = locals[pair.localIndex].route else { return true }
        return allocations.indices.contains(a) && allocations[a].permissions[pair.remote.address.ip] != nil
    }

    /// The initial RTO of a connectivity check (RFC 8445 §14.3): MAX(500 ms, Ta × (waiting +
    /// in-progress pairs)), so retransmissions share the pacing budget with new checks; the
    /// floor is the configured initial RTO and the value is bounded by the configured maximum.
    func checkRTO() -> Duration {
        let r = configuration.checkRetransmission
        let active = checklist.pairs.reduce(0) { $0 + ($1.state == .waiting || $1.state == .inProgress ? 1 : 0) }
        let paced = configuration.checkInterval * active
        return min(max(r.initialRTO, paced), max(r.initialRTO, r.maxRTO))
    }

    /// Sends a connectivity check on pair `id` (§7.2.4).
    func sendCheck(pairID id: Int) {
        guard var pair = checklist[id: id], let remoteCredentials else { return }
        let nominate = role == .controlling && checklist.nominating.contains(id)
        checklist.nominating.remove(id)
        // A check already in flight for this pair is superseded: it stops retransmitting, but
        // its response still counts until the new check finishes.
        for (tid, p) in transactions {
            if case .check(let pid, _, let g) = p.purpose, pid == id, g == generation { transactions[tid]?.transaction.finish() }
        }
        var attributes: [STUNAttribute] = [.username("\(remoteCredentials.ufrag):\(localCredentials.ufrag)")]
        let prflxPriority = Candidate.priority(type: .peerReflexive, localPreference: UInt16((pair.local.priority >> 8) & 0xFFFF),
                                               component: pair.local.component)
        attributes.append(.priority(prflxPriority))
        attributes.append(role == .controlling ? .iceControlling(tieBreaker) : .iceControlled(tieBreaker))
        if nominate { attributes.append(.useCandidate) }
        if let software = configuration.software { attributes.append(.software(software)) }
        let message = STUNMessage(type: .init(method: .binding, messageClass: .request),
                                  transactionID: .random(using: &rng), attributes: attributes)
        let key = STUNIntegrityKey.shortTerm(password: remoteCredentials.password)
        pair.state = .inProgress
        checklist[id: id] = pair
        counters.checksSent += 1
        let r = configuration.checkRetransmission
        let rto = checkRTO()
        startTransaction(message, key: key, purpose: .check(pairID: id, nominate: nominate, generation: generation),
                         route: locals[pair.localIndex].route, destination: pair.remote.address, responseKey: key,
                         parameters: .init(initialRTO: rto, maxTransmissions: r.maxTransmissions,
                                           finalWaitMultiplier: r.finalWaitMultiplier, maxRTO: max(rto, r.maxRTO)))
    }

    /// Processes the answer to a connectivity check (§7.2.5).
    func handleCheckResponse(_ message: STUNMessage, pairID: Int, nominate: Bool, generation: Int,
                             pending: PendingTransaction, source: TransportAddress, route: SendRoute) {
        guard generation == self.generation, var pair = checklist[id: pairID] else { return }
        forgetChecks(pairID: pairID)
        if message.type.messageClass == .errorResponse {
            if message.errorCode?.code == 487 {
                // Role conflict (§7.2.5.1): switch role and retry the check.
                counters.roleConflicts += 1
                switchRole(to: role.opposite)
                pair.state = .waiting
                checklist[id: pairID] = pair
                checklist.trigger(pairID, nominate: nominate && role == .controlling)
                scheduleChecks()
            } else {
                pair.state = .failed
                checklist[id: pairID] = pair
            }
            return
        }
        // Non-symmetric transport addresses make the check fail (§7.2.5.2.1).
        guard TransportAddressKey(source) == TransportAddressKey(pending.destination), route == pending.route else {
            pair.state = .failed
            checklist[id: pairID] = pair
            return
        }
        if let mapped = message.mappedAddress, !locals.contains(where: { $0.candidate.address == mapped }),
           case .direct = route {
            // A peer-reflexive local candidate (§7.2.5.3.1); the pair keeps its base for sending.
            let prflx = Candidate(foundation: Candidate.foundation(type: .peerReflexive, base: pair.local.address.ip),
                                  priority: message.priority ?? Candidate.priority(type: .peerReflexive, localPreference: 0),
                                  address: mapped, type: .peerReflexive, relatedAddress: pair.local.address)
            locals.append(LocalCandidate(candidate: prflx, route: route))
        }
        if let started = pending.transaction.startedAt { pair.roundTripTime = now - started }
        pair.state = .succeeded
        pair.lastActivity = now
        if nominate || pair.nominateOnSuccess { pair.nominated = true }
        checklist[id: pairID] = pair
        checklist.unfreeze(foundation: pair.foundation)
        if var s = selected, s.pair.id == pairID, s.generation == generation {
            s.lastConsent = now
            selected = s
        }
        if pair.nominated {
            select(pairID)
        } else if role == .controlling {
            considerNomination()
        }
    }

    /// Drops every outstanding check transaction of pair `id` (one answer settles the pair).
    func forgetChecks(pairID id: Int) {
        for (tid, p) in transactions {
            if case .check(let pid, _, let g) = p.purpose, pid == id, g == generation { transactions[tid] = nil }
        }
    }

    /// Controlling side, regular nomination (§8.1.1): nominate at once when no better pair is
    /// still being checked, else after ``ICEConfiguration/nominationDelay``.
    func considerNomination() {
        guard role == .controlling, !checklist.pairs.contains(where: { $0.nominated }), checklist.nominating.isEmpty,
              !transactions.values.contains(where: {
                  if case .check(_, true, let g) = $0.purpose { return g == generation }
                  return false
              }) else { return }
        guard let best = checklist.bestValid else { return }
        let betterPending = checklist.pairs.contains {
            $0.priority > best.priority && ($0.state == .waiting || $0.state == .inProgress || $0.state == .frozen)
        }
        if !betterPending {
            nominationAt = nil
            nominateBestValidPair()
        } else if nominationAt == nil {
            // A relayed pair is only a fallback: give direct pairs more time (their first checks
            // are often filtered until the peer's checks open its NAT).
            let relayed = best.local.type == .relayed || best.remote.type == .relayed
            nominationAt = now + (relayed ? configuration.relayNominationDelay : configuration.nominationDelay)
        }
    }

    /// Sends USE-CANDIDATE on the best valid pair.
    func nominateBestValidPair() {
        guard role == .controlling, let best = checklist.bestValid else { return }
        if let s = selected, s.generation == generation, s.pair.id == best.id { return }
        checklist.trigger(best.id, nominate: true)
        scheduleChecks()
    }

    /// Makes pair `id` the selected pair if it beats the current one of this generation.
    func select(_ id: Int) {
        guard let pair = checklist[id: id] else { return }
        if let s = selected, s.generation == generation, s.pair.id != id, s.pair.priority >= pair.priority,
           connectionState != .disconnected { return }
        if let s = selected, s.generation == generation, s.pair.id == id { return }
        guard let remoteCredentials else { return }
        selected = SelectedPair(pair: pair, route: locals[pair.localIndex].route, local: localCredentials,
                                remote: remoteCredentials, generation: generation, lastConsent: now,
                                nextConsentCheck: now + consentInterval())
        previousLocalCredentials = nil
        nominationAt = nil
        if case .relay(let a) = locals[pair.localIndex].route { ensureChannel(allocation: a, peer: pair.remote.address) }
        emit(.selectedPairChanged(local: pair.local, remote: pair.remote))
        setConnectionState(.connected)
        updateStateAfterChecks()
    }

    /// Changes role and re-sorts the checklist (§7.2.5.1, §7.3.1.1).
    func switchRole(to newRole: ICERole) {
        guard newRole != role else { return }
        role = newRole
        checklist.updatePriorities(role: role)
        emit(.roleChanged(role))
    }

    /// connected ↔ completed, and failed when every pair failed after the peer's end-of-candidates.
    func updateStateAfterChecks() {
        switch connectionState {
        case .connected:
            if gatheringState == .complete, !checklist.isChecking, transactions.values.allSatisfy({
                if case .check = $0.purpose { return false }
                return true
            }) {
                setConnectionState(.completed)
            }
        case .checking:
            if selected == nil, checklist.allFailed, remoteGatheringComplete, gatheringState == .complete,
               !transactions.values.contains(where: { if case .check = $0.purpose { return true }; return false }) {
                // Every pair failed: wait `failureGrace` for a peer check that makes a new pair.
                let since = allFailedSince ?? now
                allFailedSince = since
                if now >= since + configuration.failureGrace {
                    emit(.debug("every candidate pair failed, and no new pair came for \(configuration.failureGrace)"))
                    setConnectionState(.failed)
                }
                return
            }
            allFailedSince = nil
            if selected == nil, let since = checkingSince, now >= since + configuration.checkingTimeout {
                emit(.debug("no valid pair after \(configuration.checkingTimeout) of checks"))
                setConnectionState(.failed)
            }
        default:
            break
        }
    }
}
