/// A datagram a core wants sent: from which local address, to which remote address, what bytes.
///
/// Cores return these from `pollTransmit()`; the driver (or NetSim) delivers them.
public struct Transmit: Sendable, Equatable {
    /// The local transport address to send from.
    public var source: TransportAddress
    /// The remote transport address to send to.
    public var destination: TransportAddress
    /// The datagram payload.
    public var payload: [UInt8]

    /// Creates a transmit.
    public init(source: TransportAddress, destination: TransportAddress, payload: [UInt8]) {
        self.source = source
        self.destination = destination
        self.payload = payload
    }
}
