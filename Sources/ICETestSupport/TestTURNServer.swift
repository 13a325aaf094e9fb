import NetSim
import STUN
import WireKit

/// TEST SUPPORT ONLY: a minimal sans-IO TURN server (RFC 8656) for NetSim — long-term
/// credentials with 401/438, Allocate, Refresh, CreatePermission, ChannelBind, Send/Data
/// indications and ChannelData, one relayed port per allocation on `relayIP`. It enforces
/// permissions but skips quotas, lifetimes on the wire-level clock and many checks a real
/// server makes. Interop with a real server is tested against coturn (ICEInteropTests).
///
/// Like coturn 4.6 (`send_data_from_ioa_socket_nbh` sets `tobeclosed` when `sendto` fails), a
/// relay send the server has no route for (`isRoutable` false; by default private, loopback and
/// link-local peers: this server's network only reaches public addresses, as a TURN server
/// without a default route into private ranges) closes the allocation's relay socket: from then
/// on the allocation relays nothing in either direction, silently. Found in the netlab, where
/// psl-pub has no route to 10/8 and a relay check to the peer's host candidate killed the relay.
public final class TestTURNServer: SimulatedEndpoint {
    struct Allocation {
        var client: TransportAddress
        var relayed: TransportAddress
        var permissions: Set<IPAddress> = []
        var channels: [UInt16: TransportAddress] = [:]
        var expires: Instant
        /// The relay socket failed a send and was closed (coturn's `tobeclosed`).
        var relayClosed = false
    }

    public let listen: TransportAddress
    public let relayIP: IPAddress
    let realm = "peersync.test"
    let users: [String: String]
    private(set) var nonce = "nonce-1"
    private var nonceCounter = 1
    private var allocations: [TransportAddress: Allocation] = [:]
    private var byRelayPort: [UInt16: TransportAddress] = [:]
    private var nextPort: UInt16 = 50_000
    private var out: [Transmit] = []
    /// How often each notable event happened ("channelData", "relaySendError", "error403" ...).
    public private(set) var counts: [String: Int] = [:]

    /// Whether the server's network has a route to a peer address.
    let isRoutable: @Sendable (IPAddress) -> Bool

    /// Peers the server refuses permissions for with 403 (coturn's `--denied-peer-ip`).
    let deniedPeer: @Sendable (IPAddress) -> Bool

    public init(listen: TransportAddress, relayIP: IPAddress, users: [String: String],
         isRoutable: @escaping @Sendable (IPAddress) -> Bool = TestTURNServer.publicOnly,
         deniedPeer: @escaping @Sendable (IPAddress) -> Bool = { _ in false }) {
        self.listen = listen
        self.relayIP = relayIP
        self.users = users
        self.isRoutable = isRoutable
        self.deniedPeer = deniedPeer
    }

    /// Routes only to public addresses: not RFC 1918, shared (100.64/10), loopback or link-local.
    public static let publicOnly: @Sendable (IPAddress) -> Bool = { ip in
        switch ip {
        case .v4(let a):
            return !(a >> 24 == 10 || a >> 20 == 0xAC1 || a >> 16 == 0xC0A8 || a >> 22 == 0x191 || a >> 24 == 127 || a >> 16 == 0xA9FE)
        case .v6(let hi, _):
            return !(ip.isLoopback || ip.isLinkLocal || hi >> 57 == 0x7E)
        }
    }

    /// Sends `payload` from an allocation's relay socket to `peer`; an unroutable peer closes the
    /// relay socket, as coturn does on a failed `sendto`.
    private func relay(_ payload: [UInt8], allocation client: TransportAddress, to peer: TransportAddress) {
        guard let a = allocations[client], !a.relayClosed else { bump("relayClosedDrop"); return }
        guard isRoutable(peer.ip) else {
            bump("relaySendError")
            allocations[client]?.relayClosed = true
            return
        }
        out.append(Transmit(source: a.relayed, destination: peer, payload: payload))
    }

    /// Makes the current nonce stale: the next authenticated request gets 438.
    public func rotateNonce() { nonceCounter += 1; nonce = "nonce-\(nonceCounter)" }

    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        if destination.ip == relayIP {
            fromPeer(datagram, peer: source, relayPort: destination.port)
            return
        }
        if PacketKind.classify(datagram) == .turnChannelData {
            guard datagram.count >= 4, let a = allocations[source] else { return }
            let channel = UInt16(datagram[0]) << 8 | UInt16(datagram[1])
            let length = Int(datagram[2]) << 8 | Int(datagram[3])
            guard length <= datagram.count - 4, let peer = a.channels[channel] else { return }
            bump("channelData")
            relay(Array(datagram[4..<(4 + length)]), allocation: source, to: peer)
            return
        }
        guard let m = try? STUNMessage.decode(datagram) else { return }
        if m.type.messageClass == .indication, m.type.method == .send {
            guard let a = allocations[source], case .xorPeerAddress(let peer)? = m.attribute(.xorPeerAddress),
                  case .data(let data)? = m.attribute(.data) else { return }
            guard a.permissions.contains(peer.ip) else { bump("sendWithoutPermission"); return }
            bump("send")
            relay(data, allocation: source, to: peer)
            return
        }
        guard m.type.messageClass == .request else { return }
        // Long-term credential check (RFC 8489 §9.2.4).
        guard let username = m.username, let password = users[username], m.realm == realm else {
            return reply(m, error: .unauthenticated, to: source, key: nil, challenge: true)
        }
        let key = STUNIntegrityKey.longTerm(username: username, realm: realm, password: password)
        guard m.verifyIntegrity(key: key) else { return reply(m, error: .unauthenticated, to: source, key: nil, challenge: true) }
        guard m.nonce == nonce else { return reply(m, error: .staleNonce, to: source, key: nil, challenge: true) }
        switch m.type.method {
        case .allocate:
            bump("allocate")
            if allocations[source] != nil { return reply(m, error: .allocationMismatch, to: source, key: key) }
            let relayed = TransportAddress(ip: relayIP, port: nextPort)
            nextPort += 1
            allocations[source] = Allocation(client: source, relayed: relayed, expires: now + .seconds(600))
            byRelayPort[relayed.port] = source
            success(m, [.xorRelayedAddress(relayed), .xorMappedAddress(source), .lifetime(600)], to: source, key: key)
        case .refresh:
            bump("refresh")
            guard allocations[source] != nil else { return reply(m, error: .allocationMismatch, to: source, key: key) }
            var lifetime: UInt32 = 600
            if case .lifetime(let l)? = m.attribute(.lifetime) { lifetime = l }
            if lifetime == 0, let a = allocations.removeValue(forKey: source) { byRelayPort[a.relayed.port] = nil }
            success(m, [.lifetime(lifetime)], to: source, key: key)
        case .createPermission:
            bump("createPermission")
            guard case .xorPeerAddress(let peer)? = m.attribute(.xorPeerAddress), allocations[source] != nil else {
                return reply(m, error: .badRequest, to: source, key: key)
            }
            if deniedPeer(peer.ip) { return reply(m, error: .forbidden, to: source, key: key) }
            allocations[source]?.permissions.insert(peer.ip)
            success(m, [], to: source, key: key)
        case .channelBind:
            bump("channelBind")
            guard case .xorPeerAddress(let peer)? = m.attribute(.xorPeerAddress), case .channelNumber(let n)? = m.attribute(.channelNumber),
                  (0x4000...0x4FFF).contains(n), allocations[source] != nil else {
                return reply(m, error: .badRequest, to: source, key: key)
            }
            allocations[source]?.channels[n] = peer
            allocations[source]?.permissions.insert(peer.ip)
            success(m, [], to: source, key: key)
        default:
            reply(m, error: .badRequest, to: source, key: key)
        }
    }

    private func fromPeer(_ data: [UInt8], peer: TransportAddress, relayPort: UInt16) {
        guard let client = byRelayPort[relayPort], let a = allocations[client], !a.relayClosed, a.permissions.contains(peer.ip) else { return }
        if let channel = a.channels.first(where: { $0.value == peer })?.key {
            var w = ByteWriter(capacity: data.count + 4)
            w.writeUInt16(channel); w.writeUInt16(UInt16(data.count)); w.writeBytes(data)
            out.append(Transmit(source: listen, destination: client, payload: w.bytes))
        } else {
            var rng = SeededRandom(seed: UInt64(data.count) &* 31 &+ UInt64(peer.port))
            let indication = STUNMessage(type: .init(method: .data, messageClass: .indication), transactionID: .random(using: &rng),
                                         attributes: [.xorPeerAddress(peer), .data(data)])
            out.append(Transmit(source: listen, destination: client, payload: indication.encode()))
        }
    }

    private func success(_ request: STUNMessage, _ attributes: [STUNAttribute], to client: TransportAddress, key: STUNIntegrityKey) {
        let response = STUNMessage(type: .init(method: request.type.method, messageClass: .successResponse),
                                   transactionID: request.transactionID, attributes: attributes)
        out.append(Transmit(source: listen, destination: client, payload: response.encode(key: key, fingerprint: true)))
    }

    private func reply(_ request: STUNMessage, error: STUNErrorCode, to client: TransportAddress, key: STUNIntegrityKey?, challenge: Bool = false) {
        bump("error\(error.code)")
        var attributes: [STUNAttribute] = [.errorCode(error)]
        if challenge { attributes += [.realm(realm), .nonce(nonce)] }
        let response = STUNMessage(type: .init(method: request.type.method, messageClass: .errorResponse),
                                   transactionID: request.transactionID, attributes: attributes)
        out.append(Transmit(source: listen, destination: client, payload: response.encode(key: key, fingerprint: true)))
    }

    private func bump(_ name: String) { counts[name, default: 0] += 1 }

    public func handle(timeout now: Instant) {}
    public func pollTransmit() -> Transmit? { out.isEmpty ? nil : out.removeFirst() }
    public func pollTimeout() -> Instant? { nil }
}
