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
    /// True when IP may fragment the datagram (DF clear): it is larger than the path MTU the
    /// sender's PLPMTUD now uses and can't be cut smaller (an SCTP chunk resent after the
    /// packet size fell back, RFC 9260 §7.3). Every other datagram is sent with DF set.
    public var mayFragment: Bool

    /// Creates a transmit.
    public init(source: TransportAddress, destination: TransportAddress, payload: [UInt8], mayFragment: Bool = false) {
        self.source = source
        self.destination = destination
        self.payload = payload
        self.mayFragment = mayFragment
    }
}
