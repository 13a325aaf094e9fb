import WireKit

/// A datagram on its way through the simulated network.
struct InFlight {
    /// Where the datagram is: leaving the sender's uplink, or leaving the receiver's downlink.
    enum Stage: UInt8 {
        /// Crossed the sender's uplink; next: NAT translation and routing.
        case routed
        /// Crossed the receiver's downlink; next: delivery to the endpoint.
        case arrived
    }

    /// Virtual time (ns) at which the stage completes.
    var time: UInt64
    /// Scheduling order, breaking ties between equal times.
    var sequence: UInt64
    var stage: Stage
    /// The datagram's number in send order (trace key).
    var packet: UInt64
    var fromHost: Int
    /// The receiving host (valid in the `arrived` stage).
    var toHost: Int
    var source: TransportAddress
    var destination: TransportAddress
    var payload: [UInt8]
    var payloadHash: UInt32
}
