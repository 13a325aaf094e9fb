import DTLS
import Signaling

/// Names one rendezvous node (server process) sharing state over a `RendezvousBus`.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The node's name: random per process unless configured.
    public let rawValue: String

    /// A node ID from its name.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }
}

/// What rendezvous nodes tell each other. Broadcasts reach every node (the sender ignores its
/// own); addressed messages name their target node and every other node ignores them.
public enum BusMessage: Sendable, Equatable {
    /// [broadcast] `device` authenticated on `node` (any older connection elsewhere must close).
    case online(device: DeviceID, node: NodeID)
    /// [broadcast] `device` left `node`.
    case offline(device: DeviceID, node: NodeID)
    /// [broadcast] `node` started and asks every node to re-announce its online devices and rooms.
    case announceRequest(node: NodeID)
    /// [to `node`] A signal for `device`, which is online there.
    case signal(to: DeviceID, from: DeviceID, payload: String, node: NodeID)
    /// [broadcast] `node` opened a room under `code`.
    case roomOpened(code: String, node: NodeID)
    /// [broadcast] the room `code` owned by `node` was burnt.
    case roomClosed(code: String, node: NodeID, reason: RoomCloseReason)
    /// [to `owner`] a connection (`ref`) on node `from` asks to join room `code`.
    case joinRequest(code: String, owner: NodeID, from: NodeID, ref: UInt64)
    /// [to `node`] the join request `ref` succeeded.
    case joinAccepted(code: String, node: NodeID, ref: UInt64)
    /// [to `node`] the join request `ref` was refused with `error`.
    case joinRefused(code: String, node: NodeID, ref: UInt64, error: SignalingErrorCode)
    /// [to `node`] a room message for the member of `code` on that node.
    case roomMessage(code: String, node: NodeID, payload: String)
    /// [to `owner`] the remote member of `code` ended the room (outcome or departure).
    case roomEnd(code: String, owner: NodeID, reason: RoomCloseReason)
}
