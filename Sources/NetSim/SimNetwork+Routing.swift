import WireKit

extension SimNetwork {
    /// Sends a datagram as if `host`'s endpoint had sent it now (for spoofing or scripted
    /// traffic next to a core). The source IP must be one of the host's addresses.
    public func send(_ transmit: Transmit, from host: HostID) {
        inject(transmit, from: host.rawValue)
    }

    /// IP + UDP header bytes a datagram carries on a link.
    static func headerOverhead(_ ip: IPAddress) -> Int { ip.isIPv4 ? 28 : 48 }

    /// A datagram leaves host `index` now: faults, then the uplink.
    func inject(_ t: Transmit, from index: Int) {
        let time = now.nanoseconds
        let packet = InFlight(time: time, sequence: 0, stage: .routed, packet: nextPacket, fromHost: index, toHost: -1,
                              source: t.source, destination: t.destination, payload: t.payload,
                              payloadHash: CRC32C.checksum(t.payload))
        nextPacket &+= 1
        stats.sent += 1
        hostStats[index].sent += 1
        hostStats[index].sentBytes += UInt64(t.payload.count)
        record(.send, packet)

        if hosts[index].blackholedUntil > time { return drop(.blackhole, packet) }
        if hosts[index].dropNext > 0 {
            hosts[index].dropNext -= 1
            return drop(.injected, packet)
        }
        if !dropPredicates.isEmpty, dropPredicates.contains(where: { $0(t) }) { return drop(.injected, packet) }
        guard hosts[index].addresses.contains(t.source.ip) else { return drop(.badSource, packet) }

        let wire = t.payload.count + Self.headerOverhead(t.source.ip)
        cross(wire: wire, link: &hosts[index].uplink, packet)
    }

    /// Offers a datagram to a link and schedules its next stage (and any duplicate).
    private func cross(wire: Int, link: inout LinkState, _ packet: InFlight) {
        switch link.transit(wireBytes: wire, now: now.nanoseconds) {
        case .dropped(let reason):
            drop(reason, packet)
        case .arrives(let time, let duplicate, let reordered):
            if reordered { stats.reordered += 1 }
            var next = packet
            next.time = time
            schedule(next)
            if let duplicate {
                stats.duplicated += 1
                record(.duplicate, packet)
                next.time = duplicate
                schedule(next)
            }
        }
    }

    func schedule(_ packet: InFlight) {
        var p = packet
        p.sequence = nextSequence
        nextSequence &+= 1
        heap.push(p)
    }

    func drop(_ reason: DropReason, _ packet: InFlight) {
        stats.count(reason)
        record(.drop(reason), packet)
    }

    /// A datagram finished the sender's uplink: NATs and routing, then the receiver's downlink.
    func routeStage(_ packet: InFlight) {
        var p = packet
        switch route(&p) {
        case .failure(let reason):
            drop(reason, p)
        case .success(let to):
            p.toHost = to
            p.stage = .arrived
            let wire = p.payload.count + Self.headerOverhead(p.source.ip)
            cross(wire: wire, link: &hosts[to].downlink, p)
        }
    }

    /// A datagram finished the receiver's downlink: hand it to the endpoint.
    func deliverStage(_ p: InFlight) {
        let to = p.toHost
        if hosts[to].blackholedUntil > now.nanoseconds { return drop(.blackhole, p) }
        stats.delivered += 1
        stats.deliveredBytes += UInt64(p.payload.count)
        hostStats[to].delivered += 1
        hostStats[to].deliveredBytes += UInt64(p.payload.count)
        record(.deliver, p)
        let endpoint = endpoints[to]
        endpoint.handle(datagram: p.payload, source: p.source, destination: p.destination, now: now)
        drain(to)
    }

    /// Finds the receiving host, rewriting addresses at NATs on the way (RFC 4787).
    private func route(_ p: inout InFlight) -> Result<Int, DropReason> {
        let realm = hosts[p.fromHost].realm
        if realm > 0 {
            let nat = nats[realm - 1]
            if let inside = nat.insideHosts[p.destination.ip] { return .success(inside) }
            guard p.destination.ip.isIPv4 == nat.publicAddress.isIPv4 else { return .failure(.noRoute) }
            if p.destination.ip == nat.publicAddress, !nat.hairpinning { return .failure(.natHairpin) }
            guard let external = nat.outbound(from: p.source, to: p.destination, now: now.nanoseconds) else {
                return .failure(.natExhausted)
            }
            p.source = external
        }
        if let host = publicHosts[p.destination.ip] { return .success(host) }
        if let nat = natsByAddress[p.destination.ip] {
            switch nat.inbound(port: p.destination.port, from: p.source, now: now.nanoseconds) {
            case .failure(let reason):
                return .failure(reason)
            case .success(let inside):
                p.destination = inside
                guard let host = nat.insideHosts[inside.ip] else { return .failure(.noRoute) }
                return .success(host)
            }
        }
        return .failure(.noRoute)
    }
}
