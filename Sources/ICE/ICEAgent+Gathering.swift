import STUN
import WireKit

extension ICEAgent {
    /// Registers a bound local UDP socket (one per usable interface address). Its host candidate
    /// is gathered at once if gathering has started, else when ``startGathering(now:)`` is called.
    /// The driver decides which interfaces are usable (loopback only when asked).
    public func addLocalInterface(_ address: TransportAddress) {
        guard !sockets.contains(address), connectionState != .closed else { return }
        sockets.append(address)
        guard gatheringStarted else { return }
        gather(socket: address, index: sockets.count - 1)
        checkGatheringComplete()
    }

    /// Starts gathering: host candidates now, server-reflexive and relayed ones as the servers
    /// answer. Emits ``ICEEvent/candidateGathered(_:)`` for each and `.complete` at the end.
    public func startGathering(now: Instant) {
        self.now = max(self.now, now)
        guard !gatheringStarted, connectionState != .closed else { return }
        gatheringStarted = true
        setGatheringState(.gathering)
        for (i, socket) in sockets.enumerated() { gather(socket: socket, index: i) }
        checkGatheringComplete()
    }

    /// Gathers one socket's candidates; the caller checks for completion once all its sockets are
    /// started, so that `complete` (and the end-of-candidates it signals) comes once, at the end.
    func gather(socket: TransportAddress, index: Int) {
        setGatheringState(.gathering)
        let preference = Candidate.localPreference(for: socket.ip, interfaceIndex: index)
        let host = Candidate(foundation: Candidate.foundation(type: .host, base: socket.ip),
                             priority: Candidate.priority(type: .host, localPreference: preference),
                             address: socket, type: .host, ufrag: localCredentials.ufrag, generation: 0)
        addLocal(LocalCandidate(candidate: host, route: .direct(socket: socket)))
        if configuration.transportPolicy == .all {
            for server in configuration.stunServers where server.ip.isIPv4 == socket.ip.isIPv4 {
                let id = STUNTransactionID.random(using: &rng)
                let request = STUNMessage(type: .init(method: .binding, messageClass: .request), transactionID: id)
                startTransaction(request, key: nil, purpose: .serverReflexive(socket: socket, server: server),
                                 route: .direct(socket: socket), destination: server, responseKey: nil)
            }
        }
        for server in configuration.turnServers where server.address.ip.isIPv4 == socket.ip.isIPv4 {
            startAllocation(server: server, socket: socket, interfaceIndex: index)
        }
    }

    /// Adds a local candidate, signals it if the policy allows, and pairs it with known remotes.
    func addLocal(_ local: LocalCandidate) {
        if locals.contains(where: { $0.candidate.address == local.candidate.address && $0.candidate.type == local.candidate.type }) { return }
        locals.append(local)
        let index = locals.count - 1
        if isAllowed(local.candidate), local.candidate.type != .peerReflexive {
            emit(.candidateGathered(local.candidate))
        }
        if local.isPairable, isAllowed(local.candidate) {
            for remote in remotes { pair(localIndex: index, remote: remote) }
        }
    }

    func handleServerReflexiveResponse(_ message: STUNMessage, socket: TransportAddress, server: TransportAddress) {
        defer { gatheringTransactionFinished() }
        guard message.type.messageClass == .successResponse, let mapped = message.mappedAddress else { return }
        guard mapped != socket, let hostIndex = sockets.firstIndex(of: socket) else { return }
        let preference = Candidate.localPreference(for: socket.ip, interfaceIndex: hostIndex)
        let srflx = Candidate(foundation: Candidate.foundation(type: .serverReflexive, base: socket.ip, server: server),
                              priority: Candidate.priority(type: .serverReflexive, localPreference: preference),
                              address: mapped, type: .serverReflexive, relatedAddress: socket,
                              ufrag: localCredentials.ufrag, generation: 0)
        addLocal(LocalCandidate(candidate: srflx, route: .direct(socket: socket)))
    }

    func gatheringTransactionFinished() { checkGatheringComplete() }

    /// Gathering is complete when no server transaction is pending.
    func checkGatheringComplete() {
        guard gatheringStarted, gatheringState == .gathering else { return }
        let pending = transactions.values.contains {
            if case .serverReflexive = $0.purpose { return true }
            return false
        } || allocations.contains { $0.state == .allocating }
        if !pending { setGatheringState(.complete) }
    }
}
