import STUN
import WireKit

/// A TURN request the agent's client sends (RFC 8656).
enum TURNRequestKind: Hashable, Sendable {
    /// Allocate (§7.1).
    case allocate
    /// Refresh with a lifetime in seconds; 0 releases the allocation (§7.2).
    case refresh(lifetime: UInt32)
    /// CreatePermission for a peer IP (§9).
    case createPermission(IPAddress)
    /// ChannelBind of a channel number to a peer (§12).
    case channelBind(peer: TransportAddress, channel: UInt16)
}

/// The client side of one TURN allocation (RFC 8656): authentication state (realm, nonce,
/// long-term key), the relayed address, permissions and channel bindings with their refresh
/// times, and the Send/Data indication and ChannelData framing.
struct TURNAllocation: Sendable {
    /// Where an allocation is in its life.
    enum State: Sendable, Equatable {
        /// Allocate sent (maybe after a 401 challenge).
        case allocating
        /// The server gave a relayed address.
        case allocated
        /// The server refused or did not answer.
        case failed
        /// Released by the client.
        case released
    }

    let server: TURNServer
    /// The host socket the allocation's 5-tuple uses.
    let socket: TransportAddress
    let interfaceIndex: Int
    var state = State.allocating
    var realm: String?
    var nonce: String?
    var key: STUNIntegrityKey?
    /// Authentication retries so far (401 with credentials, 438).
    var authRetries = 0
    var relayed: TransportAddress?
    var mapped: TransportAddress?
    var refreshAt: Instant?
    /// Permission refresh times by peer IP (permissions last 300 s; refreshed at 240 s).
    var permissions: [IPAddress: Instant] = [:]
    var pendingPermissions: Set<IPAddress> = []
    /// Peers whose first CreatePermission the server refused or did not answer.
    var refusedPermissions: Set<IPAddress> = []
    /// Bound channels by peer, and their refresh times (bindings last 600 s; refreshed at 540 s).
    var channels: [TransportAddressKey: UInt16] = [:]
    var channelPeers: [UInt16: TransportAddress] = [:]
    var channelRefreshAt: [UInt16: Instant] = [:]
    var pendingChannels: [TransportAddressKey: UInt16] = [:]
    var nextChannelNumber: UInt16 = 0x4000

    init(server: TURNServer, socket: TransportAddress, interfaceIndex: Int) {
        self.server = server
        self.socket = socket
        self.interfaceIndex = interfaceIndex
    }

    /// The earliest refresh this allocation needs.
    var nextTimer: Instant? {
        guard state == .allocated else { return nil }
        var earliest = refreshAt
        for t in permissions.values where earliest.map({ t < $0 }) ?? true { earliest = t }
        for t in channelRefreshAt.values where earliest.map({ t < $0 }) ?? true { earliest = t }
        return earliest
    }

    /// USERNAME, REALM and NONCE for an authenticated request, once challenged.
    var authAttributes: [STUNAttribute] {
        guard let realm, let nonce, key != nil else { return [] }
        return [.username(server.username), .realm(realm), .nonce(nonce)]
    }

    /// Wraps an application or STUN datagram for `peer`: ChannelData when a channel is bound,
    /// else a Send indication (§11.1, §12.4).
    func wrap<R: RandomNumberGenerator>(_ payload: [UInt8], to peer: TransportAddress, rng: inout R) -> Transmit? {
        guard state == .allocated else { return nil }
        if let channel = channels[TransportAddressKey(peer)] {
            var w = ByteWriter(capacity: payload.count + 4)
            w.writeUInt16(channel)
            w.writeUInt16(UInt16(clamping: payload.count))
            w.writeBytes(payload)
            return Transmit(source: socket, destination: server.address, payload: w.bytes)
        }
        let indication = STUNMessage(type: .init(method: .send, messageClass: .indication), transactionID: .random(using: &rng),
                                     attributes: [.xorPeerAddress(peer), .data(payload)])
        return Transmit(source: socket, destination: server.address, payload: indication.encode())
    }

    /// Unwraps a ChannelData message from the server: the peer and the payload, or nil when the
    /// channel is unknown or the framing is wrong. A channel whose ChannelBind is still awaiting
    /// its response counts: the server relays on it as soon as it bound it, and that response
    /// may be the datagram that was lost.
    func unwrapChannelData(_ bytes: [UInt8]) -> (TransportAddress, [UInt8])? {
        guard bytes.count >= 4 else { return nil }
        let channel = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length <= bytes.count - 4,
              let peer = channelPeers[channel] ?? pendingChannelPeer(channel) else { return nil }
        return (peer, Array(bytes[4..<(4 + length)]))
    }

    /// The peer of a channel whose ChannelBind was sent but not answered yet.
    private func pendingChannelPeer(_ channel: UInt16) -> TransportAddress? {
        pendingChannels.first { $0.value == channel }.map { TransportAddress(ip: $0.key.ip, port: $0.key.port) }
    }
}
