/// Counters of what a `SimNetwork` did with datagrams.
///
/// Every sent datagram ends in exactly one of `delivered` or a drop counter, except
/// those still in flight; duplicates add to `delivered` (and to `duplicated`).
public struct SimStats: Sendable, Equatable, CustomStringConvertible {
    /// Datagrams endpoints sent.
    public var sent: UInt64 = 0
    /// Datagrams handed to a destination endpoint (duplicates included).
    public var delivered: UInt64 = 0
    /// Payload bytes handed to destination endpoints.
    public var deliveredBytes: UInt64 = 0
    /// Lost on a link by random or burst loss.
    public var lost: UInt64 = 0
    /// Extra copies made by links.
    public var duplicated: UInt64 = 0
    /// Datagrams held back for reordering.
    public var reordered: UInt64 = 0
    /// Tail-dropped at a full rate-capped queue.
    public var queueDropped: UInt64 = 0
    /// Dropped by a NAT (no mapping, filtered, no hairpinning, no free port).
    public var natDropped: UInt64 = 0
    /// Dropped for an unknown destination or a source the host does not own.
    public var unroutable: UInt64 = 0
    /// Dropped as larger than a link's MTU.
    public var oversize: UInt64 = 0
    /// Dropped by targeted faults (`dropNext`, `drop(where:)`, `blackhole`).
    public var faultDropped: UInt64 = 0

    /// Empty counters.
    public init() {}

    /// All drops of any kind.
    public var dropped: UInt64 { lost + queueDropped + natDropped + unroutable + oversize + faultDropped }

    mutating func count(_ reason: DropReason) {
        switch reason {
        case .loss, .burstLoss: lost += 1
        case .queueFull: queueDropped += 1
        case .natNoMapping, .natFiltered, .natHairpin, .natExhausted: natDropped += 1
        case .noRoute, .badSource: unroutable += 1
        case .mtu: oversize += 1
        case .injected, .blackhole: faultDropped += 1
        }
    }

    public var description: String {
        "sent \(sent), delivered \(delivered) (\(deliveredBytes) B), lost \(lost), duplicated \(duplicated), "
            + "reordered \(reordered), queue-dropped \(queueDropped), nat-dropped \(natDropped), "
            + "unroutable \(unroutable), oversize \(oversize), fault-dropped \(faultDropped)"
    }
}
