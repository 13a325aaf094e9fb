import SCTP
import WireKit

/// Turns association events into data channel events: DCEP handling, message delivery with
/// PPID decoding, stream resets into channel closes.
extension DataChannelManager {
    /// The next event. May queue packets (DCEP ACK, stream resets): poll transmits afterwards.
    public mutating func pollEvent() -> DataChannelEvent? {
        while events.isEmpty, let event = association.pollEvent() {
            process(event)
        }
        return events.popFirst()
    }

    mutating func process(_ event: SCTPEvent) {
        let now = association.lastInputTime
        switch event {
        case .connected:
            events.append(.connected)
            for id in channels.keys.sorted() { activate(id, now: now) }
        case .message(let m):
            receive(m, now: now)
        case .bufferedAmountLow(let id):
            if channels[id] != nil { events.append(.bufferedAmountLow(id)) }
        case .incomingStreamsReset(let ids):
            for id in ids {
                guard var channel = channels[id] else { continue }
                channel.incomingReset = true
                channel.partial = []
                if channel.readyState == .open || channel.readyState == .connecting {
                    channel.readyState = .closing
                    channels[id] = channel
                    events.append(.closing(id))
                    do { try association.resetStreams([id], now: now) } catch { finishClose(id); continue }
                } else {
                    channels[id] = channel
                }
                if channel.outgoingReset { finishClose(id) }
            }
        case .outgoingStreamsReset(let ids):
            for id in ids {
                if staleOutgoingResets.remove(id) != nil {
                    sendPendingAck(id, now: now)
                    continue
                }
                guard channels[id] != nil else { continue }
                channels[id]?.outgoingReset = true
                if channels[id]?.incomingReset == true { finishClose(id) }
            }
        case .streamResetFailed(let ids):
            for id in ids {
                if staleOutgoingResets.remove(id) != nil {
                    sendPendingAck(id, now: now)
                    continue
                }
                finishClose(id)
            }
        case .restarted:
            // The peer lost its association: its channels are gone and every stream starts
            // over, so ours close (no stream reset is needed; the association stays up).
            for id in channels.keys.sorted() { events.append(.closed(id)) }
            channels.removeAll()
            staleOutgoingResets.removeAll()
        case .closed, .aborted:
            for id in channels.keys.sorted() { events.append(.closed(id)) }
            channels.removeAll()
            staleOutgoingResets.removeAll()
            if case .aborted(let reason) = event {
                events.append(.disconnected(reason: reason))
            } else {
                events.append(.disconnected(reason: "closed"))
            }
        }
    }

    /// Sends the DATA_CHANNEL_ACK a reused id's new channel was waiting for.
    mutating func sendPendingAck(_ id: UInt16, now: Instant) {
        guard channels[id]?.ackPending == true else { return }
        channels[id]?.ackPending = false
        do {
            try association.send(stream: id, ppid: PPID.dcep, message: DCEPMessage.ack.serialize(), accounted: false, now: now)
        } catch {
            finishClose(id)
        }
    }

    mutating func receive(_ m: SCTPMessage, now: Instant) {
        let id = m.streamID
        if m.ppid == PPID.dcep {
            handleDCEP(m, now: now)
            return
        }
        guard var channel = channels[id], channel.readyState == .open || channel.readyState == .closing else { return }
        // Any data implies the peer saw our OPEN (RFC 8832 §6).
        channel.acknowledged = true
        switch m.ppid {
        case PPID.string, PPID.binary:
            var data = m.payload
            if !channel.partial.isEmpty {
                data = channel.partial + data
                channel.partial = []
            }
            channels[id] = channel
            events.append(.message(id, DataChannelMessage(isText: m.ppid == PPID.string, data: data)))
        case PPID.stringEmpty, PPID.binaryEmpty:
            channels[id] = channel
            events.append(.message(id, DataChannelMessage(isText: m.ppid == PPID.stringEmpty, data: [])))
        case PPID.stringPartial, PPID.binaryPartial:
            if channel.partial.count + m.payload.count <= association.configuration.maxReceiveMessageSize {
                channel.partial.append(contentsOf: m.payload)
            } else {
                channel.partial = []
            }
            channels[id] = channel
        default:
            channels[id] = channel  // unknown PPID: dropped
        }
    }

    mutating func handleDCEP(_ m: SCTPMessage, now: Instant) {
        let id = m.streamID
        guard let message = try? DCEPMessage.parse(m.payload) else { return }
        switch message {
        case .ack:
            channels[id]?.acknowledged = true
        case .open(let open):
            // The peer's ids have the other parity; a clash means a broken peer: ignore it.
            let peerParity: UInt16 = role == .client ? 1 : 0
            guard id % 2 == peerParity else { return }
            if let old = channels[id], old.incomingReset {
                // The peer closed the old channel on this id and reused it: it saw our outgoing
                // reset performed before our copy of its answer arrived (lost or reordered).
                // Its OPEN starts the stream's new sequence, so the old channel is over.
                if !old.outgoingReset { staleOutgoingResets.insert(id) }
                finishClose(id)
            }
            guard channels[id] == nil else { return }
            let type = open.channelType
            var maxRetransmits: Int?
            var lifetime: Duration?
            switch type {
            case .partialReliableRexmit, .partialReliableRexmitUnordered: maxRetransmits = Int(open.reliabilityParameter)
            case .partialReliableTimed, .partialReliableTimedUnordered: lifetime = .milliseconds(Int64(open.reliabilityParameter))
            default: break
            }
            var channel = DataChannel(id: id, label: open.label, protocol: open.protocol, ordered: !type.unordered,
                                      maxRetransmits: maxRetransmits, maxPacketLifeTime: lifetime, negotiated: false,
                                      priority: open.priority)
            channel.acknowledged = true
            channel.readyState = .open
            if staleOutgoingResets.contains(id) {
                channel.ackPending = true  // sent when our reset of the old channel completes
            } else {
                do {
                    try association.send(stream: id, ppid: PPID.dcep, message: DCEPMessage.ack.serialize(), accounted: false, now: now)
                } catch {
                    return
                }
            }
            channels[id] = channel
            events.append(.dataChannel(id))
            events.append(.open(id))
        }
    }
}
