import DequeModule
import SCTP
import WireKit

/// Data channels (RFC 8831) with DCEP (RFC 8832) on top of an ``SCTPAssociation``, sans-IO.
///
/// Same contract as the association: feed packets and timeouts, drain `pollTransmit()` and
/// `pollEvent()` (polling events may queue packets, e.g. DATA_CHANNEL_ACK, so poll transmits
/// again afterwards), arm a timer for `pollTimeout()`. Stream ids follow the DTLS role:
/// the DTLS client uses even ids, the server odd ones (RFC 8832 §6).
public struct DataChannelManager: Sendable {
    /// The DTLS role, which decides stream-id parity.
    public enum Role: Sendable, Equatable { case client, server }

    /// The association underneath (exposed for statistics, tuning and raw stream access).
    public var association: SCTPAssociation
    /// Our DTLS role.
    public let role: Role
    var channels: [UInt16: DataChannel] = [:]
    var events = Deque<DataChannelEvent>()
    /// Ids whose previous channel ended (the peer reused the id) while our outgoing reset of
    /// it was still in flight: its completion belongs to no current channel.
    var staleOutgoingResets: Set<UInt16> = []

    /// A manager for `role` over a new association with `configuration`.
    public init(role: Role, configuration: SCTPConfiguration = SCTPConfiguration()) {
        self.role = role
        association = SCTPAssociation(configuration: configuration)
    }

    // MARK: Getters

    /// The channel with `id`, if it exists.
    public func channel(_ id: UInt16) -> DataChannel? { channels[id] }
    /// Ids of all channels not yet closed.
    public var channelIDs: [UInt16] { channels.keys.sorted() }
    /// W3C `bufferedAmount` of channel `id` (see ``DataChannel`` for the exact definition).
    public func bufferedAmount(_ id: UInt16) -> Int { association.bufferedAmount(stream: id) }

    // MARK: Sans-IO plumbing

    /// Starts the association (the DTLS client calls this; calling it on both sides works too).
    public mutating func connect(now: Instant) throws(DataChannelError) {
        do { try association.connect(now: now) } catch { throw .invalidState("association already started") }
    }
    /// Feeds a received SCTP packet (a DTLS application record).
    public mutating func handle(packet: [UInt8], now: Instant) { association.handle(packet: packet, now: now) }
    /// Feeds a received SCTP packet given as a view of the caller's buffer (valid only during
    /// the call; see ``SCTPAssociation/handle(packetBytes:now:)``).
    public mutating func handle(packetBytes: UnsafeRawBufferPointer, now: Instant) {
        association.handle(packetBytes: packetBytes, now: now)
    }
    /// Fires due timers.
    public mutating func handle(timeout now: Instant) { association.handle(timeout: now) }
    /// The next SCTP packet to send.
    public mutating func pollTransmit() -> [UInt8]? { association.pollTransmit() }
    /// The next SCTP packet to send, written into `packet` (its storage reused when uniquely
    /// held; see ``SCTPAssociation/pollTransmit(into:)``). False, `packet` empty, when none.
    public mutating func pollTransmit(into packet: inout [UInt8]) -> Bool { association.pollTransmit(into: &packet) }
    /// The next SCTP packet to send, built in `packet` with its user data still in the messages
    /// (written out, once, by `SCTPOutgoingPacket.write(into:)`). False when none.
    public mutating func pollTransmit(into packet: inout SCTPOutgoingPacket) -> Bool { association.pollTransmit(into: &packet) }
    /// The next deadline.
    public func pollTimeout() -> Instant? { association.pollTimeout() }

    // MARK: Channels

    /// Creates a channel (W3C `createDataChannel`). With `negotiatedID` the application
    /// creates it on both sides with the same id and no DCEP is exchanged; otherwise an id of
    /// our parity is chosen and DATA_CHANNEL_OPEN announces it.
    public mutating func createDataChannel(label: String, protocol: String = "", ordered: Bool = true,
                                           maxRetransmits: Int? = nil, maxPacketLifeTime: Duration? = nil,
                                           negotiatedID: UInt16? = nil, priority: UInt16 = 256,
                                           now: Instant) throws(DataChannelError) -> UInt16 {
        guard maxRetransmits == nil || maxPacketLifeTime == nil else { throw .conflictingReliability }
        guard association.state == .closed || association.state == .cookieWait || association.state == .cookieEchoed
                || association.state == .established else { throw .invalidState("association closing") }
        let id: UInt16
        if let negotiatedID {
            guard negotiatedID < 65535, channels[negotiatedID] == nil else { throw .invalidID(negotiatedID) }
            id = negotiatedID
        } else {
            id = try freeID()
        }
        var channel = DataChannel(id: id, label: label, protocol: `protocol`, ordered: ordered, maxRetransmits: maxRetransmits,
                                  maxPacketLifeTime: maxPacketLifeTime, negotiated: negotiatedID != nil, priority: priority)
        channel.needsOpenMessage = negotiatedID == nil
        channels[id] = channel
        if association.isEstablished { activate(id, now: now) }
        return id
    }

    /// Lowest free id of our parity below the negotiated stream count.
    func freeID() throws(DataChannelError) -> UInt16 {
        let limit = association.isEstablished ? Int(association.negotiatedOutboundStreams) : 65535
        var id = role == .client ? 0 : 1
        while id < limit {
            if channels[UInt16(id)] == nil { return UInt16(id) }
            id += 2
        }
        throw .noFreeID
    }

    /// The association is up: announce and open the channel.
    mutating func activate(_ id: UInt16, now: Instant) {
        guard var channel = channels[id], channel.readyState == .connecting else { return }
        if channel.needsOpenMessage {
            let open = DCEPOpen(channelType: channel.channelType, priority: channel.priority,
                                reliabilityParameter: channel.reliabilityParameter, label: channel.label, protocol: channel.protocol)
            do {
                try association.send(stream: id, ppid: PPID.dcep, message: DCEPMessage.open(open).serialize(), accounted: false, now: now)
            } catch {
                channel.readyState = .closed
                channels[id] = nil
                events.append(.closed(id))
                return
            }
            channel.needsOpenMessage = false
        }
        association.setBufferedAmountLowThreshold(channel.bufferedAmountLowThreshold, stream: id)
        channel.readyState = .open
        channels[id] = channel
        events.append(.open(id))
    }

    /// Sets W3C `bufferedAmountLowThreshold`.
    public mutating func setBufferedAmountLowThreshold(_ threshold: Int, for id: UInt16) {
        guard channels[id] != nil else { return }
        channels[id]?.bufferedAmountLowThreshold = max(0, threshold)
        association.setBufferedAmountLowThreshold(max(0, threshold), stream: id)
    }

    /// Sends a binary message (W3C `send(ArrayBuffer)`); empty messages use PPID 57.
    public mutating func send(_ data: [UInt8], on id: UInt16, now: Instant) throws(DataChannelError) {
        try send(data[...], text: false, on: id, now: now)
    }

    /// Sends a binary message given as a slice of a larger buffer, without copying it (SCTP
    /// keeps the slice until the message is acknowledged).
    public mutating func send(_ data: ArraySlice<UInt8>, on id: UInt16, now: Instant) throws(DataChannelError) {
        try send(data, text: false, on: id, now: now)
    }

    /// Sends a text message (W3C `send(string)`); empty messages use PPID 56.
    public mutating func send(text: String, on id: UInt16, now: Instant) throws(DataChannelError) {
        try send(Array(text.utf8)[...], text: true, on: id, now: now)
    }

    mutating func send(_ data: ArraySlice<UInt8>, text: Bool, on id: UInt16, now: Instant) throws(DataChannelError) {
        guard let channel = channels[id] else { throw .unknownChannel(id) }
        guard channel.readyState == .open else { throw .invalidState("channel \(id) is \(channel.readyState)") }
        let empty = data.isEmpty
        let ppid = text ? (empty ? PPID.stringEmpty : PPID.string) : (empty ? PPID.binaryEmpty : PPID.binary)
        var reliability = SCTPAssociation.Reliability.reliable
        if let n = channel.maxRetransmits { reliability = .maxRetransmits(n) }
        if let d = channel.maxPacketLifeTime { reliability = .maxLifetime(d) }
        do {
            // RFC 8832 §6: until the ACK arrives, send ordered so DATA cannot overtake the OPEN.
            try association.send(stream: id, ppid: ppid, message: empty ? [0] : data, ordered: channel.ordered || !channel.acknowledged,
                                 reliability: reliability, accounted: !empty, now: now)
        } catch {
            switch error {
            case .messageTooLarge(let size, let limit): throw .messageTooLarge(size: size, limit: limit)
            case .sendQueueFull(_, let buffered, let limit): throw .sendQueueFull(buffered: buffered, limit: limit)
            default: throw .invalidState(error.description)
            }
        }
    }

    /// Closes a channel (W3C `close`): queued messages are still sent, then the outgoing
    /// stream is reset; the channel is closed once both directions are reset.
    public mutating func close(_ id: UInt16, now: Instant) {
        guard var channel = channels[id] else { return }
        switch channel.readyState {
        case .closing, .closed: return
        case .connecting where !association.isEstablished:
            channels[id] = nil
            events.append(.closed(id))
            return
        default: break
        }
        channel.readyState = .closing
        channels[id] = channel
        events.append(.closing(id))
        do { try association.resetStreams([id], now: now) } catch { finishClose(id) }
    }

    mutating func finishClose(_ id: UInt16) {
        guard channels.removeValue(forKey: id) != nil else { return }
        association.setBufferedAmountLowThreshold(0, stream: id)
        events.append(.closed(id))
    }

    /// Closes the association gracefully (all channels close).
    public mutating func shutdown(now: Instant) { association.shutdown(now: now) }
    /// Aborts the association.
    public mutating func abort(reason: String, now: Instant) { association.abort(reason: reason, now: now) }
}
