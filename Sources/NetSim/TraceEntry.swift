import WireKit

/// Why the simulator dropped a datagram.
public enum DropReason: Error, Sendable, Hashable, CustomStringConvertible {
    /// Random loss (`LinkConditions.loss`).
    case loss
    /// Burst loss (`LinkConditions.burstLoss`).
    case burstLoss
    /// The rate-capped link's queue was full (tail drop).
    case queueFull
    /// Larger than the link's MTU.
    case mtu
    /// No host or NAT has the destination address (or the address family does not fit).
    case noRoute
    /// The source address is not one of the sending host's addresses.
    case badSource
    /// Inbound to a NAT port with no live mapping (never mapped, or expired).
    case natNoMapping
    /// Inbound to a live mapping that the NAT's filtering rejects.
    case natFiltered
    /// To the inside host's own NAT public address with hairpinning off.
    case natHairpin
    /// The NAT has no free external port for a new mapping.
    case natExhausted
    /// A targeted fault: `dropNext` or `drop(where:)`.
    case injected
    /// The sending or receiving host is blackholed.
    case blackhole

    public var description: String {
        switch self {
        case .loss: "loss"
        case .burstLoss: "burst-loss"
        case .queueFull: "queue-full"
        case .mtu: "mtu"
        case .noRoute: "no-route"
        case .badSource: "bad-source"
        case .natNoMapping: "nat-no-mapping"
        case .natFiltered: "nat-filtered"
        case .natHairpin: "nat-hairpin"
        case .natExhausted: "nat-exhausted"
        case .injected: "injected"
        case .blackhole: "blackhole"
        }
    }
}

/// What happened to a datagram at one point of its way.
public enum TraceEvent: Sendable, Hashable, CustomStringConvertible {
    /// An endpoint sent it.
    case send
    /// It reached the destination endpoint.
    case deliver
    /// The simulator dropped it.
    case drop(DropReason)
    /// A link duplicated it (the copy is delivered separately).
    case duplicate

    public var description: String {
        switch self {
        case .send: "send"
        case .deliver: "deliver"
        case .drop(let reason): "drop(\(reason))"
        case .duplicate: "dup"
        }
    }
}

/// One line of the datagram trace.
public struct TraceEntry: Sendable, Hashable, CustomStringConvertible {
    /// Virtual time of the event.
    public var time: Instant
    /// What happened.
    public var event: TraceEvent
    /// The datagram's number (in send order), shared by all entries of one datagram.
    public var packet: UInt64
    /// Source address at that point (after NAT translation for deliveries).
    public var source: TransportAddress
    /// Destination address at that point (after NAT translation for deliveries).
    public var destination: TransportAddress
    /// UDP payload size in bytes.
    public var size: Int
    /// CRC-32C of the payload, to tell datagrams apart.
    public var payloadHash: UInt32

    /// Creates a trace entry.
    public init(time: Instant, event: TraceEvent, packet: UInt64, source: TransportAddress,
                destination: TransportAddress, size: Int, payloadHash: UInt32) {
        self.time = time
        self.event = event
        self.packet = packet
        self.source = source
        self.destination = destination
        self.size = size
        self.payloadHash = payloadHash
    }

    public var description: String {
        let ns = time.nanoseconds
        let micros = (ns / 1_000) % 1_000_000
        let pad = String(micros)
        let frac = String(repeating: "0", count: 6 - pad.count) + pad
        let hash = String(payloadHash, radix: 16)
        let hashText = String(repeating: "0", count: 8 - hash.count) + hash
        return "\(ns / 1_000_000_000).\(frac)s #\(packet) \(event) \(source) -> \(destination) \(size)B \(hashText)"
    }
}
