/// Names one WebSocket connection inside the hub. Never reused within a hub's lifetime.
public struct ConnectionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The connection's serial number.
    public let rawValue: UInt64

    /// An ID from its serial number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "c\(rawValue)" }
}
