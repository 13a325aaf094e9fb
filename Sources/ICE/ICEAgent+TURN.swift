import STUN
import WireKit

extension ICEAgent {
    /// Starts an allocation on `server` from the host socket `socket` (RFC 8656 §7.1).
    func startAllocation(server: TURNServer, socket: TransportAddress, interfaceIndex: Int) {
        guard !allocations.contains(where: { $0.server == server && $0.socket == socket }) else { return }
        allocations.append(TURNAllocation(server: server, socket: socket, interfaceIndex: interfaceIndex))
        sendTURNRequest(allocation: allocations.count - 1, .allocate)
    }

    /// Sends a TURN request, authenticated once the server's challenge is known.
    func sendTURNRequest(allocation index: Int, _ kind: TURNRequestKind) {
        let a = allocations[index]
        var attributes: [STUNAttribute] = []
        let method: STUNMethod
        switch kind {
        case .allocate:
            method = .allocate
            attributes = [.requestedTransport(17), .lifetime(configuration.turnLifetime)]
        case .refresh(let lifetime):
            method = .refresh
            attributes = [.lifetime(lifetime)]
        case .createPermission(let ip):
            method = .createPermission
            attributes = [.xorPeerAddress(TransportAddress(ip: ip, port: 0))]
            allocations[index].pendingPermissions.insert(ip)
        case .channelBind(let peer, let channel):
            method = .channelBind
            attributes = [.channelNumber(channel), .xorPeerAddress(peer)]
            allocations[index].pendingChannels[TransportAddressKey(peer)] = channel
        }
        attributes += a.authAttributes
        if let software = configuration.software { attributes.append(.software(software)) }
        let message = STUNMessage(type: .init(method: method, messageClass: .request), transactionID: .random(using: &rng),
                                  attributes: attributes)
        startTransaction(message, key: a.authAttributes.isEmpty ? nil : a.key, purpose: .turn(allocation: index, request: kind),
                         route: .direct(socket: a.socket), destination: a.server.address, responseKey: a.key)
    }

    /// A datagram from a TURN server: ChannelData, a Data indication, or a response.
    func handleFromTURNServer(_ datagram: [UInt8], allocation index: Int) {
        if PacketKind.classify(datagram) == .turnChannelData {
            guard let (peer, payload) = allocations[index].unwrapChannelData(datagram) else { counters.stunDropped += 1; return }
            handleFromPeer(payload, source: peer, route: .relay(allocation: index))
            return
        }
        let message: STUNMessage
        do {
            message = try STUNMessage.decode(datagram)
        } catch {
            counters.stunDropped += 1
            emit(.debug("dropped a message from TURN server \(allocations[index].server.address): \(error)"))
            return
        }
        switch message.type.messageClass {
        case .indication:
            guard message.type.method == .data, case .xorPeerAddress(let peer)? = message.attribute(.xorPeerAddress),
                  case .data(let payload)? = message.attribute(.data) else { return }
            handleFromPeer(payload, source: peer, route: .relay(allocation: index))
        case .successResponse, .errorResponse:
            handleResponse(message, source: allocations[index].server.address, route: .direct(socket: allocations[index].socket))
        case .request:
            counters.stunDropped += 1
        }
    }

    func handleTURNResponse(_ message: STUNMessage, allocation index: Int, request kind: TURNRequestKind) {
        guard allocations.indices.contains(index), allocations[index].state != .released else { return }
        if message.type.messageClass == .errorResponse {
            let error = message.errorCode ?? .serverError
            switch error.code {
            case 401 where allocations[index].key == nil || (allocations[index].authRetries < 2 && message.nonce != allocations[index].nonce):
                // The challenge (RFC 8489 §9.2.3): learn realm and nonce, retry with credentials.
                // A second 401 with the same nonce means the credentials are wrong.
                guard let realm = message.realm, let nonce = message.nonce else { break }
                allocations[index].realm = realm
                allocations[index].nonce = nonce
                allocations[index].key = .longTerm(username: allocations[index].server.username, realm: realm,
                                                   password: allocations[index].server.password)
                allocations[index].authRetries += 1
                sendTURNRequest(allocation: index, kind)
                return
            case 438 where allocations[index].authRetries < 4:
                // Stale nonce: retry with the new one.
                if let nonce = message.nonce { allocations[index].nonce = nonce }
                if let realm = message.realm { allocations[index].realm = realm }
                allocations[index].authRetries += 1
                sendTURNRequest(allocation: index, kind)
                return
            default:
                break
            }
            turnRequestFailed(allocation: index, request: kind, code: error.code, reason: error.reason)
            return
        }
        allocations[index].authRetries = 0
        switch kind {
        case .allocate:
            guard case .xorRelayedAddress(let relayed)? = message.attribute(.xorRelayedAddress) else {
                turnRequestFailed(allocation: index, request: kind, code: 500, reason: "no XOR-RELAYED-ADDRESS")
                return
            }
            allocations[index].state = .allocated
            allocations[index].relayed = relayed
            allocations[index].mapped = message.mappedAddress
            allocations[index].refreshAt = refreshTime(lifetime: message)
            let a = allocations[index]
            let preference = Candidate.localPreference(for: a.socket.ip, interfaceIndex: a.interfaceIndex)
            let candidate = Candidate(foundation: Candidate.foundation(type: .relayed, base: relayed.ip, server: a.server.address),
                                      priority: Candidate.priority(type: .relayed, localPreference: preference),
                                      address: relayed, type: .relayed, relatedAddress: a.mapped ?? a.socket,
                                      ufrag: localCredentials.ufrag, generation: 0)
            addLocal(LocalCandidate(candidate: candidate, route: .relay(allocation: index)))
            checkGatheringComplete()
        case .refresh(let lifetime):
            if lifetime == 0 { allocations[index].state = .released } else { allocations[index].refreshAt = refreshTime(lifetime: message) }
        case .createPermission(let ip):
            allocations[index].pendingPermissions.remove(ip)
            allocations[index].permissions[ip] = now + .seconds(240)
            // Relayed pairs held back for this permission can be checked now.
            scheduleChecks()
        case .channelBind(let peer, let channel):
            allocations[index].pendingChannels[TransportAddressKey(peer)] = nil
            allocations[index].channels[TransportAddressKey(peer)] = channel
            allocations[index].channelPeers[channel] = peer
            allocations[index].channelRefreshAt[channel] = now + .seconds(540)
        }
    }

    /// When to refresh an allocation: a minute before its lifetime ends (or at half of a short one).
    func refreshTime(lifetime message: STUNMessage) -> Instant {
        var seconds = Int64(configuration.turnLifetime)
        if case .lifetime(let l)? = message.attribute(.lifetime) { seconds = Int64(l) }
        return now + .seconds(seconds > 120 ? seconds - 60 : max(1, seconds / 2))
    }

    func turnRequestFailed(allocation index: Int, request kind: TURNRequestKind, code: Int, reason: String) {
        switch kind {
        case .allocate:
            allocations[index].state = .failed
            emit(.serverError(.turnAllocationFailed(server: allocations[index].server.address.description, code: code, reason: reason)))
            checkGatheringComplete()
        case .refresh:
            emit(.debug("TURN refresh on \(allocations[index].server.address) failed: \(code) \(reason)"))
        case .createPermission(let ip):
            allocations[index].pendingPermissions.remove(ip)
            emit(.debug("TURN CreatePermission for \(ip) failed: \(code) \(reason)"))
            // A refresh that fails keeps the installed permission until it expires (it is
            // retried); a first one that fails dooms the relayed pairs that need it.
            if allocations[index].permissions[ip] == nil {
                allocations[index].refusedPermissions.insert(ip)
                checklist.fail { pair in
                    locals[pair.localIndex].route == .relay(allocation: index) && pair.remote.address.ip == ip
                }
            }
        case .channelBind(let peer, _):
            allocations[index].pendingChannels[TransportAddressKey(peer)] = nil
            emit(.debug("TURN ChannelBind failed: \(code) \(reason)"))
        }
    }

    func turnRequestTimedOut(allocation index: Int, request kind: TURNRequestKind) {
        guard allocations.indices.contains(index) else { return }
        if kind == .allocate {
            allocations[index].state = .failed
            emit(.serverError(.serverTimeout(server: allocations[index].server.address.description)))
            checkGatheringComplete()
        } else {
            turnRequestFailed(allocation: index, request: kind, code: 408, reason: "timeout")
        }
    }

    /// True when relaying from allocation `index` to `peer` can work: the server did not refuse a
    /// permission for it, and the peer is not in a private scope the server cannot route to. A
    /// public TURN server has no route to a peer's RFC 1918 or ULA host address, and coturn
    /// closes an allocation's relay socket when a send fails, killing every relayed pair of it
    /// (found in the netlab: symmetric ↔ symmetric never connected with policy `all`).
    func relayCanReach(allocation index: Int, peer: IPAddress) -> Bool {
        guard allocations.indices.contains(index) else { return false }
        let a = allocations[index]
        if a.refusedPermissions.contains(peer) { return false }
        return !peer.isPrivateScope || a.server.address.ip.isPrivateScope
    }

    /// Installs a permission for `peer` on an allocation if it has none (§9).
    func ensurePermission(allocation index: Int, peer: IPAddress) {
        guard allocations.indices.contains(index), allocations[index].state == .allocated,
              allocations[index].permissions[peer] == nil, !allocations[index].pendingPermissions.contains(peer) else { return }
        sendTURNRequest(allocation: index, .createPermission(peer))
    }

    /// Binds a channel to `peer` so data goes as ChannelData (§12).
    func ensureChannel(allocation index: Int, peer: TransportAddress) {
        guard allocations.indices.contains(index), allocations[index].state == .allocated else { return }
        let key = TransportAddressKey(peer)
        guard allocations[index].channels[key] == nil, allocations[index].pendingChannels[key] == nil,
              allocations[index].nextChannelNumber <= 0x4FFF else { return }
        let channel = allocations[index].nextChannelNumber
        allocations[index].nextChannelNumber += 1
        sendTURNRequest(allocation: index, .channelBind(peer: peer, channel: channel))
    }

    /// Refreshes allocations, permissions and channels that are due.
    func turnTimers() {
        for i in allocations.indices where allocations[i].state == .allocated {
            if let t = allocations[i].refreshAt, t <= now {
                allocations[i].refreshAt = now + .seconds(30)  // retried if the refresh is lost
                sendTURNRequest(allocation: i, .refresh(lifetime: configuration.turnLifetime))
            }
            // Sorted, so a simulation replays identically (dictionary order is per process).
            for (ip, t) in allocations[i].permissions.sorted(by: { $0.key.description < $1.key.description }) where t <= now {
                allocations[i].permissions[ip] = now + .seconds(30)
                sendTURNRequest(allocation: i, .createPermission(ip))
            }
            for (channel, t) in allocations[i].channelRefreshAt.sorted(by: { $0.key < $1.key }) where t <= now {
                guard let peer = allocations[i].channelPeers[channel] else { continue }
                allocations[i].channelRefreshAt[channel] = now + .seconds(30)
                sendTURNRequest(allocation: i, .channelBind(peer: peer, channel: channel))
            }
        }
    }

    /// Releases every allocation with a zero-lifetime Refresh (sent once, not retried).
    func releaseAllocations() {
        for i in allocations.indices where allocations[i].state == .allocated {
            let a = allocations[i]
            let message = STUNMessage(type: .init(method: .refresh, messageClass: .request), transactionID: .random(using: &rng),
                                      attributes: [.lifetime(0)] + a.authAttributes)
            transmits.push(Transmit(source: a.socket, destination: a.server.address,
                                    payload: message.encode(key: a.key, fingerprint: true)))
            allocations[i].state = .released
        }
    }
}
