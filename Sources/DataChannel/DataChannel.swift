import WireKit

/// The state of one data channel, as W3C `RTCDataChannel` exposes it.
///
/// `bufferedAmount` lives in the association (see ``DataChannelManager/bufferedAmount(_:)``):
/// it counts the bytes of user messages accepted by `send` and not yet handed to the network
/// (put into an SCTP packet), excluding DCEP messages and protocol overhead; empty messages
/// count zero. It does not include bytes sent but unacknowledged.
public struct DataChannel: Sendable, Equatable {
    /// W3C `RTCDataChannelState`.
    public enum ReadyState: Sendable, Equatable {
        /// Created, not yet usable (association or DCEP pending).
        case connecting
        /// Messages can be sent.
        case open
        /// Close started; queued messages still go out, then the stream is reset.
        case closing
        /// Both directions reset (or the association ended); the id is free.
        case closed
    }

    /// SCTP stream id (W3C `id`).
    public let id: UInt16
    /// W3C `label`.
    public let label: String
    /// W3C `protocol`.
    public let `protocol`: String
    /// W3C `ordered`.
    public let ordered: Bool
    /// W3C `maxRetransmits` (nil: not limited by count).
    public let maxRetransmits: Int?
    /// W3C `maxPacketLifeTime` (nil: not limited by time).
    public let maxPacketLifeTime: Duration?
    /// W3C `negotiated`: created by the application on both sides with the same id.
    public let negotiated: Bool
    /// Priority from DCEP (256 = normal).
    public let priority: UInt16
    /// W3C `readyState`.
    public internal(set) var readyState: ReadyState = .connecting
    /// W3C `bufferedAmountLowThreshold`.
    public internal(set) var bufferedAmountLowThreshold: Int = 0

    /// We announced the channel and have not yet sent DATA_CHANNEL_OPEN.
    var needsOpenMessage = false
    /// DATA_CHANNEL_ACK received (or not needed): unordered channels may send unordered now.
    var acknowledged = false
    var outgoingReset = false
    var incomingReset = false
    /// DATA_CHANNEL_ACK owed to the peer, sent once our reset of the stream's previous
    /// channel completes (the stream refuses new messages until then).
    var ackPending = false
    /// Deprecated partial-PPID messages being joined.
    var partial: [UInt8] = []

    init(id: UInt16, label: String, protocol: String, ordered: Bool, maxRetransmits: Int?, maxPacketLifeTime: Duration?,
         negotiated: Bool, priority: UInt16) {
        self.id = id; self.label = label; self.protocol = `protocol`; self.ordered = ordered
        self.maxRetransmits = maxRetransmits; self.maxPacketLifeTime = maxPacketLifeTime
        self.negotiated = negotiated; self.priority = priority
        acknowledged = negotiated
    }

    /// The DCEP channel type for this channel's policy.
    var channelType: DCEPOpen.ChannelType {
        if maxRetransmits != nil { return ordered ? .partialReliableRexmit : .partialReliableRexmitUnordered }
        if maxPacketLifeTime != nil { return ordered ? .partialReliableTimed : .partialReliableTimedUnordered }
        return ordered ? .reliable : .reliableUnordered
    }

    var reliabilityParameter: UInt32 {
        if let n = maxRetransmits { return UInt32(clamping: n) }
        if let d = maxPacketLifeTime { return UInt32(clamping: d.nanosecondsClamped / 1_000_000) }
        return 0
    }
}
