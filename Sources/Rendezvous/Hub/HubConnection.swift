import DTLS
import Signaling

/// The hub's record of one connection.
struct HubConnection {
    let id: ConnectionID
    /// The source IP address (for the per-address limit).
    let source: String
    /// The nonce sent in `hello`; cleared once used, so it can never verify twice.
    var nonce: [UInt8]?
    /// The device, once authenticated.
    var device: DeviceID?
    var bucket: TokenBucket
    /// Messages refused by the rate limit since the last accepted one.
    var refusedInARow = 0
    /// Malformed frames so far.
    var malformed = 0
    /// Devices this connection watches.
    var subscriptions: Set<DeviceID> = []
    /// Codes of the rooms this connection is a member of.
    var rooms: Set<String> = []

    init(id: ConnectionID, source: String, nonce: [UInt8], bucket: TokenBucket) {
        self.id = id
        self.source = source
        self.nonce = nonce
        self.bucket = bucket
    }
}

/// One pairing room: a creator, at most one joiner, a deadline.
struct HubRoom {
    let code: String
    /// Distinguishes this room from a later one under the same code.
    let serial: UInt64
    let creator: ConnectionID
    var joiner: ConnectionID?
    /// The node of a joiner connected elsewhere (scale-out).
    var remoteJoiner: NodeID?
    var messages = 0

    /// True when a second member (here or on another node) has joined.
    var isFull: Bool { joiner != nil || remoteJoiner != nil }

    /// The other member, if `member` is one and the room is full.
    func peer(of member: ConnectionID) -> ConnectionID? {
        if member == creator { return joiner }
        if member == joiner { return creator }
        return nil
    }

    /// True when `connection` is the creator or the joiner.
    func isMember(_ connection: ConnectionID) -> Bool { connection == creator || connection == joiner }
}
