import WireKit

/// Anything that can be driven by the simulator: a sans-IO core wrapped by a test adapter.
///
/// The simulator calls `handle(datagram:…)` when a datagram arrives at one of the host's
/// addresses and `handle(timeout:)` once virtual time reaches the deadline the endpoint
/// last returned from `pollTimeout()`. After every call it drains `pollTransmit()` until
/// nil, and before every step it asks each endpoint for its transmits and its next deadline,
/// so API calls made on an endpoint between runs are picked up too.
public protocol SimulatedEndpoint: AnyObject {
    /// A datagram arrived from `source` at the host's `destination` (after any NAT).
    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant)
    /// Virtual time reached (or passed) the endpoint's deadline.
    func handle(timeout now: Instant)
    /// The next datagram the endpoint wants sent, or nil when it has none.
    func pollTransmit() -> Transmit?
    /// The instant the endpoint wants `handle(timeout:)` called, or nil for none.
    func pollTimeout() -> Instant?
}
