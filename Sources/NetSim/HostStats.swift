/// Counters for one host.
public struct HostStats: Sendable, Equatable {
    /// Datagrams the host's endpoint sent.
    public var sent: UInt64 = 0
    /// Payload bytes the host's endpoint sent.
    public var sentBytes: UInt64 = 0
    /// Datagrams delivered to the host's endpoint.
    public var delivered: UInt64 = 0
    /// Payload bytes delivered to the host's endpoint.
    public var deliveredBytes: UInt64 = 0

    /// Zero counters.
    public init() {}
}
