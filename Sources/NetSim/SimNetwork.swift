import WireKit

/// A deterministic in-process network on a virtual clock, for sans-IO cores.
///
/// Hosts (each wrapping a `SimulatedEndpoint`) own IP addresses, either in the public realm
/// or in the private realm of a `NATBox`. A datagram goes: sender's uplink → sender's NAT
/// (if any) → receiver's NAT (if any) → receiver's downlink → receiver. Each link applies
/// its `LinkConditions`; targeted faults (`dropNext`, `drop(where:)`, `blackhole`) act when
/// the datagram is sent (and, for blackholes, when it would be delivered).
///
/// `run` advances virtual time straight to the next event — a datagram finishing a link or
/// an endpoint deadline — so simulated minutes take milliseconds. All randomness comes from
/// `seed` (each link gets its own stream forked from it), so the same seed and the same
/// endpoints give the same trace. Not thread-safe: drive it from one task.
public final class SimNetwork {
    /// The current virtual time.
    public private(set) var now: Instant
    /// The seed all randomness derives from.
    public let seed: UInt64
    /// Counters of what happened to datagrams so far.
    public internal(set) var stats = SimStats()

    var rng: SeededRandom
    var hosts: [Host] = []
    /// The hosts' endpoints, by host index (kept apart from `hosts` so reading one copies nothing).
    var endpoints: [SimulatedEndpoint] = []
    var nats: [NATBox] = []
    var publicHosts: [IPAddress: Int] = [:]
    var natsByAddress: [IPAddress: NATBox] = [:]
    var heap = EventHeap()
    var nextSequence: UInt64 = 0
    var nextPacket: UInt64 = 0
    var dropPredicates: [(Transmit) -> Bool] = []
    var ring: TraceRing
    /// Per-host counters.
    var hostStats: [HostStats] = []

    /// Creates an empty network whose clock starts at `start`; the trace keeps the newest
    /// `traceCapacity` entries (0 keeps none; the digest still covers everything).
    public init(seed: UInt64, start: Instant = .zero, traceCapacity: Int = 10_000) {
        self.seed = seed
        self.now = start
        self.rng = SeededRandom(seed: seed)
        self.ring = TraceRing(capacity: traceCapacity)
    }

    struct Host {
        let addresses: [IPAddress]
        /// 0 for the public realm, else the owning NAT's realm.
        let realm: Int
        var uplink: LinkState
        var downlink: LinkState
        var dropNext = 0
        var blackholedUntil: UInt64 = 0
    }

    // MARK: - Topology

    /// Adds a host owning `addresses` (all ports on them) that `endpoint` speaks for.
    ///
    /// Behind a NAT the addresses are private to that NAT's realm (several NATs may reuse
    /// the same private addresses). Adding an address twice in one realm is a setup error.
    @discardableResult
    public func addHost(_ endpoint: SimulatedEndpoint, addresses: [IPAddress],
                        uplink: LinkConditions = .perfect, downlink: LinkConditions = .perfect,
                        behind nat: NATBox? = nil) -> HostID {
        let index = hosts.count
        for address in addresses {
            if let nat {
                precondition(nat.insideHosts[address] == nil, "NetSim: \(address) already used behind NAT \(nat.publicAddress)")
                nat.insideHosts[address] = index
            } else {
                precondition(publicHosts[address] == nil && natsByAddress[address] == nil, "NetSim: \(address) already in use")
                publicHosts[address] = index
            }
        }
        endpoints.append(endpoint)
        hosts.append(Host(addresses: addresses, realm: nat?.realm ?? 0,
                          uplink: LinkState(conditions: uplink, rng: rng.fork()),
                          downlink: LinkState(conditions: downlink, rng: rng.fork())))
        hostStats.append(HostStats())
        return HostID(rawValue: index)
    }

    /// Adds a NAT with a public address, RFC 4787 mapping and filtering behaviours, and an
    /// idle timeout for its mappings. Hosts join it through `addHost(…, behind:)`.
    public func addNAT(publicAddress: IPAddress, mapping: NATBehavior, filtering: NATBehavior,
                       mappingTimeout: Duration = .seconds(120)) -> NATBox {
        precondition(publicHosts[publicAddress] == nil && natsByAddress[publicAddress] == nil,
                     "NetSim: \(publicAddress) already in use")
        let nat = NATBox(publicAddress: publicAddress, mapping: mapping, filtering: filtering,
                         mappingTimeout: mappingTimeout, realm: nats.count + 1)
        nats.append(nat)
        natsByAddress[publicAddress] = nat
        return nat
    }

    /// Adds a NAT of a classic type (full cone, restricted, port-restricted, symmetric).
    public func addNAT(publicAddress: IPAddress, type: NATType, mappingTimeout: Duration = .seconds(120)) -> NATBox {
        addNAT(publicAddress: publicAddress, mapping: type.mapping, filtering: type.filtering, mappingTimeout: mappingTimeout)
    }

    /// Replaces the conditions of a host's uplink (its queue and burst state carry over).
    public func setUplink(_ host: HostID, _ c: LinkConditions) { hosts[host.rawValue].uplink.conditions = c }

    /// Replaces the conditions of a host's downlink (its queue and burst state carry over).
    public func setDownlink(_ host: HostID, _ c: LinkConditions) { hosts[host.rawValue].downlink.conditions = c }

    /// The current conditions of a host's uplink.
    public func uplink(_ host: HostID) -> LinkConditions { hosts[host.rawValue].uplink.conditions }

    /// The current conditions of a host's downlink.
    public func downlink(_ host: HostID) -> LinkConditions { hosts[host.rawValue].downlink.conditions }

    /// The endpoint of a host.
    public func endpoint(_ host: HostID) -> SimulatedEndpoint { endpoints[host.rawValue] }

    /// The addresses of a host.
    public func addresses(_ host: HostID) -> [IPAddress] { hosts[host.rawValue].addresses }

    /// All hosts, in the order they were added.
    public var hostIDs: [HostID] { hosts.indices.map(HostID.init(rawValue:)) }

    /// Per-host counters.
    public func stats(for host: HostID) -> HostStats { hostStats[host.rawValue] }

    /// Datagrams currently on a link.
    public var inFlight: Int { heap.count }

    // MARK: - Trace

    /// The retained trace entries, oldest first (a bounded ring; see `init`).
    public var trace: [TraceEntry] { ring.entries }

    /// The newest `count` trace entries, oldest first.
    public func traceTail(_ count: Int = 50) -> [TraceEntry] { ring.last(count) }

    /// A digest of every trace entry recorded so far (also those the ring dropped):
    /// equal digests mean equal traces.
    public var traceDigest: UInt64 { ring.digest }

    /// How many trace entries were recorded in total.
    public var traceCount: UInt64 { ring.total }

    /// How many trace entries the ring keeps; changing it keeps the newest ones.
    public var traceCapacity: Int {
        get { ring.capacity }
        set { ring.resize(newValue) }
    }

    /// A short human-readable summary: time, counters, trace size.
    public var summary: String {
        "NetSim seed \(seed) at \(now): \(stats); \(ring.total) trace entries (\(heap.count) in flight)"
    }

    func record(_ event: TraceEvent, _ p: InFlight) {
        ring.append(TraceEntry(time: now, event: event, packet: p.packet, source: p.source,
                               destination: p.destination, size: p.payload.count, payloadHash: p.payloadHash))
    }

    func advanceClock(to time: UInt64) {
        if time > now.nanoseconds { now = Instant(nanoseconds: time) }
    }
}
