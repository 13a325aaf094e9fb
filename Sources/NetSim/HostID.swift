/// Identifies a host added to a `SimNetwork` (its index, in the order hosts were added).
public struct HostID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The index of the host in its network.
    public let rawValue: Int

    /// Wraps a host index.
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static func < (lhs: HostID, rhs: HostID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "host\(rawValue)" }
}
