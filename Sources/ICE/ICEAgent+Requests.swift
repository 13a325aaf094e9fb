import STUN
import WireKit

extension ICEAgent {
    /// Answers a Binding request from the peer (§7.3): authenticates it, repairs role conflicts,
    /// learns peer-reflexive candidates, queues a triggered check and honours USE-CANDIDATE.
    ///
    /// A check that arrives where we have no usable local candidate (a socket the agent never
    /// gathered on, or a host socket under the relay-only policy) is dropped unanswered: answering
    /// would send from an address we do not offer.
    func handleBindingRequest(_ request: STUNMessage, source: TransportAddress, route: SendRoute) {
        counters.checksReceived += 1
        guard let localIndex = localIndex(for: route), isAllowed(locals[localIndex].candidate) else {
            counters.stunDropped += 1
            return
        }
        guard let username = request.username, let colon = username.firstIndex(of: ":") else {
            respondError(request, .badRequest, key: nil, to: source, route: route)
            return
        }
        let ours = String(username[..<colon])
        let credentials: ICECredentials
        var isCurrentGeneration = true
        if ours == localCredentials.ufrag {
            credentials = localCredentials
        } else if let previous = previousLocalCredentials, ours == previous.ufrag {
            credentials = previous
            isCurrentGeneration = false
        } else {
            respondError(request, .unauthenticated, key: nil, to: source, route: route)
            return
        }
        let key = STUNIntegrityKey.shortTerm(password: credentials.password)
        guard request.verifyIntegrity(key: key) else {
            counters.stunDropped += 1
            respondError(request, .unauthenticated, key: nil, to: source, route: route)
            return
        }
        if !request.unknownComprehensionRequired.isEmpty {
            let response = STUNMessage(type: .init(method: .binding, messageClass: .errorResponse), transactionID: request.transactionID,
                                       attributes: [.errorCode(.unknownAttribute), .unknownAttributes(request.unknownComprehensionRequired)])
            send(response.encode(key: key, fingerprint: true), route: route, to: source)
            return
        }
        // Role conflict (§7.3.1.1).
        if role == .controlling, let theirs = request.iceControlling {
            counters.roleConflicts += 1
            if tieBreaker >= theirs {
                respondError(request, .roleConflict, key: key, to: source, route: route)
                return
            }
            switchRole(to: .controlled)
        } else if role == .controlled, let theirs = request.iceControlled {
            counters.roleConflicts += 1
            if tieBreaker >= theirs {
                switchRole(to: .controlling)
            } else {
                respondError(request, .roleConflict, key: key, to: source, route: route)
                return
            }
        }
        let response = STUNMessage(type: .init(method: .binding, messageClass: .successResponse), transactionID: request.transactionID,
                                   attributes: [.xorMappedAddress(source)])
        send(response.encode(key: key, fingerprint: true), route: route, to: source)

        guard isCurrentGeneration else { return }
        // The remote candidate: known, or peer-reflexive (§7.3.1.3).
        let remote: Candidate
        if let known = remotes.first(where: { TransportAddressKey($0.address) == TransportAddressKey(source) }) {
            remote = known
        } else {
            let prflx = Candidate(foundation: Candidate.foundation(type: .peerReflexive, base: source.ip),
                                  priority: request.priority ?? Candidate.priority(type: .peerReflexive, localPreference: 0),
                                  address: source, type: .peerReflexive, ufrag: remoteCredentials?.ufrag)
            remotes.append(prflx)
            remote = prflx
        }
        guard let pairID = pair(localIndex: localIndex, remote: remote, state: .waiting),
              var pair = checklist[id: pairID] else { return }
        pair.lastActivity = now
        checklist[id: pairID] = pair
        let useCandidate = request.useCandidate && role == .controlled
        // Triggered check (§7.3.1.4).
        switch pair.state {
        case .succeeded:
            if useCandidate {
                pair.nominated = true
                checklist[id: pairID] = pair
                select(pairID)
            }
        case .inProgress, .waiting, .frozen, .failed:
            // An in-progress check is superseded by the triggered one (§7.3.1.4), which now
            // has a hole in the peer's NAT to go through.
            pair.state = .waiting
            if useCandidate { pair.nominateOnSuccess = true }
            checklist[id: pairID] = pair
            checklist.trigger(pairID)
            scheduleChecks()
        }
    }

    func respondError(_ request: STUNMessage, _ error: STUNErrorCode, key: STUNIntegrityKey?, to destination: TransportAddress, route: SendRoute) {
        let response = STUNMessage(type: .init(method: request.type.method, messageClass: .errorResponse),
                                   transactionID: request.transactionID, attributes: [.errorCode(error)])
        send(response.encode(key: key, fingerprint: true), route: route, to: destination)
    }
}
