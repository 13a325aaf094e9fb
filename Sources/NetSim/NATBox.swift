import WireKit

/// A simulated NAT (RFC 4787) with one public IPv4 or IPv6 address.
///
/// Hosts added `behind:` it live in its private realm: they reach each other directly, and
/// reach everything else through it. An outbound datagram gets an external port from a
/// mapping chosen by the `mapping` behaviour (a new one when none exists or the old one
/// expired); an inbound datagram to the public address passes only when a live mapping has
/// that port and the `filtering` behaviour permits the sender. Mappings expire
/// `mappingTimeout` after their last outbound datagram (and after inbound ones too when
/// `inboundRefresh` is set). Hairpinning (inside host → own public address) is optional.
public final class NATBox {
    /// The NAT's external address.
    public let publicAddress: IPAddress
    /// When an external port is reused (RFC 4787 §4.1).
    public let mapping: NATBehavior
    /// Which inbound datagrams are let through (RFC 4787 §5).
    public let filtering: NATBehavior
    /// Idle time after which a mapping (and its filter permissions) expires.
    public var mappingTimeout: Duration
    /// Whether inbound datagrams refresh a mapping (RFC 4787 REQ-6 allows either).
    public var inboundRefresh: Bool = false
    /// Whether inside hosts can reach each other through the public address (RFC 4787 §6).
    public var hairpinning: Bool = false

    /// The index of this NAT's private realm in its network (1-based; 0 is the public realm).
    let realm: Int
    /// Inside addresses → hosts.
    var insideHosts: [IPAddress: Int] = [:]

    private var byKey: [MappingKey: UInt16] = [:]
    private var byPort: [UInt16: Entry] = [:]
    private var nextPort: UInt16
    private static let firstPort: UInt16 = 49_152

    init(publicAddress: IPAddress, mapping: NATBehavior, filtering: NATBehavior, mappingTimeout: Duration, realm: Int) {
        self.publicAddress = publicAddress
        self.mapping = mapping
        self.filtering = filtering
        self.mappingTimeout = mappingTimeout
        self.realm = realm
        self.nextPort = Self.firstPort
    }

    /// One live NAT binding, as tests see it.
    public struct Mapping: Sendable, Hashable {
        /// The inside host's address and port.
        public var inside: TransportAddress
        /// The public address and port the NAT uses for it.
        public var external: TransportAddress
        /// The remote endpoint the mapping is specific to (nil parts: independent of them).
        public var remoteIP: IPAddress?
        /// The remote port the mapping is specific to (address-and-port-dependent mapping only).
        public var remotePort: UInt16?
        /// When the mapping expires unless refreshed.
        public var expires: Instant
    }

    /// The mappings that are alive at `now`, sorted by external port.
    public func mappings(at now: Instant) -> [Mapping] {
        byPort.values.filter { $0.expires > now.nanoseconds }.map { e in
            Mapping(inside: e.key.inside, external: TransportAddress(ip: publicAddress, port: e.port),
                    remoteIP: e.key.remoteIP, remotePort: e.key.remotePort, expires: Instant(nanoseconds: e.expires))
        }.sorted { $0.external.port < $1.external.port }
    }

    // MARK: - Translation (used by SimNetwork)

    /// Translates an outbound datagram's source; nil when no external port is free.
    func outbound(from inside: TransportAddress, to remote: TransportAddress, now: UInt64) -> TransportAddress? {
        let key = MappingKey(
            inside: inside,
            remoteIP: mapping == .endpointIndependent ? nil : remote.ip,
            remotePort: mapping == .addressAndPortDependent ? remote.port : nil)
        var port: UInt16
        if let existing = byKey[key], let entry = byPort[existing], entry.expires > now {
            port = existing
        } else {
            if let stale = byKey[key] { byPort[stale] = nil }
            guard let fresh = allocatePort(now: now) else { return nil }
            port = fresh
            byKey[key] = port
            byPort[port] = Entry(key: key, port: port, expires: now)
        }
        let timeout = UInt64(max(0, mappingTimeout.nanosecondsClamped))
        byPort[port]?.touch(remote: remote, filtering: filtering, expires: now &+ timeout)
        return TransportAddress(ip: publicAddress, port: port)
    }

    /// Translates an inbound datagram's destination port back to the inside address.
    func inbound(port: UInt16, from remote: TransportAddress, now: UInt64) -> Result<TransportAddress, DropReason> {
        guard let entry = byPort[port], entry.expires > now else { return .failure(.natNoMapping) }
        guard entry.permits(remote, filtering: filtering) else { return .failure(.natFiltered) }
        if inboundRefresh {
            byPort[port]?.expires = now &+ UInt64(max(0, mappingTimeout.nanosecondsClamped))
        }
        return .success(entry.key.inside)
    }

    private func allocatePort(now: UInt64) -> UInt16? {
        for _ in 0..<(65_536 - 1024) {
            let candidate = nextPort
            nextPort = nextPort == .max ? 1024 : nextPort + 1
            if let used = byPort[candidate] {
                guard used.expires <= now else { continue }
                byPort[candidate] = nil
                if byKey[used.key] == candidate { byKey[used.key] = nil }
            }
            return candidate
        }
        return nil
    }

    private struct MappingKey: Hashable {
        var inside: TransportAddress
        var remoteIP: IPAddress?
        var remotePort: UInt16?
    }

    private struct Entry {
        var key: MappingKey
        var port: UInt16
        var expires: UInt64
        var contactedIPs: Set<IPAddress> = []
        var contacted: Set<TransportAddress> = []

        mutating func touch(remote: TransportAddress, filtering: NATBehavior, expires: UInt64) {
            self.expires = expires
            switch filtering {
            case .endpointIndependent: break
            case .addressDependent: contactedIPs.insert(remote.ip)
            case .addressAndPortDependent: contacted.insert(remote)
            }
        }

        func permits(_ remote: TransportAddress, filtering: NATBehavior) -> Bool {
            switch filtering {
            case .endpointIndependent: true
            case .addressDependent: contactedIPs.contains(remote.ip)
            case .addressAndPortDependent: contacted.contains(remote)
            }
        }
    }
}
