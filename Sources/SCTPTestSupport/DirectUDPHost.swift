import DataChannel
import NetSim
import SCTP
import WireKit

/// A sans-IO SCTP core a ``DirectUDPHost`` carries: packets in and out, timers and events
/// (an ``SCTPAssociation`` or a ``DataChannelManager``).
public protocol DirectSCTPCore {
    /// What the core reports.
    associatedtype Event
    mutating func handle(packet: [UInt8], now: Instant)
    mutating func handle(timeout now: Instant)
    mutating func pollTransmit() -> [UInt8]?
    func pollTimeout() -> Instant?
    mutating func pollEvent() -> Event?
}

extension SCTPAssociation: DirectSCTPCore {}
extension DataChannelManager: DirectSCTPCore {}

/// TEST SUPPORT: an SCTP core as a NetSim host. SCTP packets ride directly in UDP datagrams
/// (no DTLS) between two fixed transport addresses; every event goes through ``record(_:)``
/// (by default into ``events``, in order).
open class DirectUDPHost<Core: DirectSCTPCore>: SimulatedEndpoint {
    public var core: Core
    public let local: TransportAddress
    public let remote: TransportAddress
    /// Every recorded event, in order.
    public var events: [Core.Event] = []

    public init(_ core: Core, local: TransportAddress, remote: TransportAddress) {
        self.core = core
        self.local = local
        self.remote = remote
    }

    /// Keeps one event; subclasses may sort some elsewhere.
    open func record(_ event: Core.Event) { events.append(event) }

    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        core.handle(packet: datagram, now: now)
        drainEvents()
    }

    public func handle(timeout now: Instant) {
        core.handle(timeout: now)
        drainEvents()
    }

    public func pollTransmit() -> Transmit? {
        core.pollTransmit().map { Transmit(source: local, destination: remote, payload: $0) }
    }

    public func pollTimeout() -> Instant? { core.pollTimeout() }

    public func drainEvents() {
        while let e = core.pollEvent() { record(e) }
    }
}
