import DTLS
import Signaling

/// What the hub wants a driver to do with a connection.
public enum HubTransmit: Sendable, Equatable {
    /// Send this message on the connection.
    case message(ConnectionID, ServerMessage)
    /// Close the connection with this code (the hub has already forgotten it).
    case close(ConnectionID, SignalingCloseCode)
}

/// Something that happened in the hub, for metrics and logs.
public enum HubEvent: Sendable, Equatable {
    /// A connection was admitted and sent `hello`.
    case connectionOpened(ConnectionID, source: String)
    /// A connection left the hub (closed by either side).
    case connectionClosed(ConnectionID)
    /// A connection authenticated as a device.
    case authenticated(ConnectionID, DeviceID)
    /// A device's older connection was replaced by a newer one.
    case replaced(old: ConnectionID, new: ConnectionID, DeviceID)
    /// A message was relayed between two connections.
    case relayed(RelayKind)
    /// A request or connection was refused, with the reason (an error code or close code reason).
    case refused(ConnectionID, reason: String)
    /// A room was opened.
    case roomOpened(code: String)
    /// A room was burnt.
    case roomClosed(code: String, reason: RoomCloseReason)

    /// Which kind of relayed traffic.
    public enum RelayKind: String, Sendable, Equatable {
        /// A `signal` between devices.
        case signal
        /// A `room-message` between room members.
        case room
    }
}

/// What `RendezvousHub.routeSignal` decided for a `signal` whose payload the driver keeps.
public enum SignalRoute: Sendable, Equatable {
    /// Relay the payload to this local connection as a `signal` from `from` (the hub has counted
    /// it; nothing is queued for it).
    case deliver(ConnectionID, from: DeviceID)
    /// The hub dealt with the frame (refused it, or it came from a connection already gone);
    /// drain its transmits as usual.
    case handled
    /// Not a case for the shortcut (the addressee is not online here): hand the decoded
    /// message to `handle(message:from:now:)`. Nothing has changed in the hub.
    case general
}
