import WireKit

/// How the agent sends from a local candidate: straight from a host socket, or through a TURN
/// allocation (whose control traffic leaves from a host socket).
enum SendRoute: Hashable, Sendable {
    /// From the host socket bound to this address.
    case direct(socket: TransportAddress)
    /// Through the TURN allocation with this index.
    case relay(allocation: Int)
}
