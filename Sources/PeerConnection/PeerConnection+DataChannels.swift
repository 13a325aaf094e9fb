import DataChannel
import SCTP
import WireKit

/// What the connection remembers of one data channel beyond the SCTP layer.
struct ChannelRecord: Sendable {
    var label: String
    var options: DataChannelInit
    /// SCTP stream id once assigned.
    var streamID: UInt16?
    var state: DataChannelState = .connecting
    var bufferedAmountLowThreshold = 0
    var messagesSent = 0
    var bytesSent = 0
    var messagesReceived = 0
    var bytesReceived = 0
}

extension PeerConnection {
    // MARK: Data channels (W3C RTCDataChannel)

    /// W3C `createDataChannel(label, options)`. The channel opens once SCTP is up (an
    /// `open` event); the first channel of a connection fires `negotiationneeded`.
    public func createDataChannel(_ label: String, options: DataChannelInit = DataChannelInit()) throws(PeerConnectionError) -> DataChannelHandle {
        guard !isClosed else { throw .invalidState("connection closed") }
        guard label.utf8.count <= 65_535, options.protocol.utf8.count <= 65_535 else { throw .dataChannel("label or protocol too long") }
        guard options.maxRetransmits == nil || options.maxPacketLifeTime == nil else {
            throw .dataChannel("maxRetransmits and maxPacketLifeTime are exclusive")
        }
        if options.negotiated {
            guard let id = options.id, id < 65_535 else { throw .dataChannel("a negotiated channel needs an id below 65535") }
            if channels.values.contains(where: { $0.streamID == id && $0.state != .closed }) { throw .operation("id \(id) in use") }
        }
        let handle = DataChannelHandle(rawValue: nextHandle)
        nextHandle += 1
        channels[handle] = ChannelRecord(label: label, options: options)
        if sctp != nil { try attach(handle) }
        if dataMid == nil || sections.isEmpty { updateNegotiationNeeded() }
        return handle
    }

    /// Creates the SCTP-level channel for `handle` (once the DTLS role fixed the id parity).
    func attach(_ handle: DataChannelHandle) throws(PeerConnectionError) {
        guard var record = channels[handle], record.streamID == nil, sctp != nil else { return }
        let o = record.options
        do {
            guard let id = try sctp?.createDataChannel(label: record.label, protocol: o.protocol, ordered: o.ordered,
                                                 maxRetransmits: o.maxRetransmits,
                                                 maxPacketLifeTime: o.maxPacketLifeTime.map { .milliseconds($0) },
                                                 negotiatedID: o.negotiated ? o.id : nil, now: now) else { return }
            record.streamID = id
            channels[handle] = record
            streamToHandle[id] = handle
            if record.bufferedAmountLowThreshold > 0 { sctp?.setBufferedAmountLowThreshold(record.bufferedAmountLowThreshold, for: id) }
        } catch {
            record.state = .closed
            channels[handle] = record
            throw .dataChannel(error.description)
        }
    }

    /// Attaches every channel created before the DTLS role was known.
    func attachPendingChannels() {
        for handle in channels.keys.sorted() where channels[handle]?.streamID == nil && channels[handle]?.state == .connecting {
            do { try attach(handle) } catch { emit(.close(handle)) }
        }
    }

    /// A snapshot of a channel's W3C attributes, or nil for an unknown handle.
    public func dataChannel(_ handle: DataChannelHandle) -> DataChannelInfo? {
        guard let r = channels[handle] else { return nil }
        return DataChannelInfo(handle: handle, label: r.label, protocol: r.options.protocol, id: r.streamID,
                               ordered: r.options.ordered, maxRetransmits: r.options.maxRetransmits,
                               maxPacketLifeTime: r.options.maxPacketLifeTime, negotiated: r.options.negotiated,
                               readyState: r.state, bufferedAmount: bufferedAmount(handle),
                               bufferedAmountLowThreshold: r.bufferedAmountLowThreshold)
    }

    /// Every channel the connection knows (closed ones included), by handle.
    public var dataChannelHandles: [DataChannelHandle] { channels.keys.sorted() }

    /// W3C `bufferedAmount`: bytes accepted by `send` not yet handed to the network.
    public func bufferedAmount(_ handle: DataChannelHandle) -> Int {
        guard let id = channels[handle]?.streamID else { return 0 }
        return sctp?.bufferedAmount(id) ?? 0
    }

    /// W3C `bufferedAmountLowThreshold`.
    public func setBufferedAmountLowThreshold(_ threshold: Int, for handle: DataChannelHandle) {
        guard channels[handle] != nil else { return }
        channels[handle]?.bufferedAmountLowThreshold = max(0, threshold)
        if let id = channels[handle]?.streamID { sctp?.setBufferedAmountLowThreshold(max(0, threshold), for: id) }
    }

    /// W3C `send(ArrayBuffer)`: queues a binary message.
    public func send(_ data: [UInt8], on handle: DataChannelHandle) throws(PeerConnectionError) {
        try send(data[...], text: false, on: handle)
    }

    /// W3C `send(ArrayBuffer)` of a slice of a larger buffer: queued without a copy.
    public func send(_ data: ArraySlice<UInt8>, on handle: DataChannelHandle) throws(PeerConnectionError) {
        try send(data, text: false, on: handle)
    }

    /// W3C `send(string)`: queues a text message.
    public func send(text: String, on handle: DataChannelHandle) throws(PeerConnectionError) {
        try send(Array(text.utf8)[...], text: true, on: handle)
    }

    func send(_ data: ArraySlice<UInt8>, text: Bool, on handle: DataChannelHandle) throws(PeerConnectionError) {
        guard let record = channels[handle], record.state == .open, let id = record.streamID, sctp != nil else {
            throw .invalidState("channel \(handle) is not open")
        }
        guard data.count <= maxMessageSize else { throw .dataChannel("message of \(data.count) bytes exceeds \(maxMessageSize)") }
        do {
            if text {
                try sctp?.send(text: String(decoding: data, as: UTF8.self), on: id, now: now)
            } else {
                try sctp?.send(data, on: id, now: now)
            }
        } catch {
            throw .dataChannel(error.description)
        }
        channels[handle]?.messagesSent += 1
        channels[handle]?.bytesSent += data.count
    }

    /// W3C `RTCDataChannel.close()`: pending messages are sent, then the stream is reset.
    public func closeDataChannel(_ handle: DataChannelHandle) {
        guard var record = channels[handle] else { return }
        switch record.state {
        case .closing, .closed: return
        case .connecting, .open: break
        }
        guard let id = record.streamID, sctp != nil else {
            record.state = .closed
            channels[handle] = record
            emit(.close(handle))
            return
        }
        sctp?.close(id, now: now)
        pump()
    }

    /// Applies a data channel event from SCTP to the records and re-emits it as a W3C event.
    func process(_ event: DataChannelEvent) {
        switch event {
        case .connected:
            break
        case .dataChannel(let id):
            guard let info = sctp?.channel(id) else { return }
            let handle = DataChannelHandle(rawValue: nextHandle)
            nextHandle += 1
            var options = DataChannelInit(ordered: info.ordered, maxRetransmits: info.maxRetransmits, protocol: info.protocol)
            options.maxPacketLifeTime = info.maxPacketLifeTime.map { Int($0.nanosecondsClamped / 1_000_000) }
            var record = ChannelRecord(label: info.label, options: options)
            record.streamID = id
            channels[handle] = record
            streamToHandle[id] = handle
            emit(.dataChannel(handle))
        case .open(let id):
            guard let handle = streamToHandle[id] else { return }
            channels[handle]?.state = .open
            counters.dataChannelsOpened += 1
            emit(.open(handle))
        case .message(let id, let message):
            guard let handle = streamToHandle[id] else { return }
            channels[handle]?.messagesReceived += 1
            channels[handle]?.bytesReceived += message.data.count
            emit(.message(handle, message))
        case .bufferedAmountLow(let id):
            guard let handle = streamToHandle[id] else { return }
            emit(.bufferedAmountLow(handle))
        case .closing(let id):
            guard let handle = streamToHandle[id] else { return }
            channels[handle]?.state = .closing
            emit(.closing(handle))
        case .closed(let id):
            guard let handle = streamToHandle.removeValue(forKey: id) else { return }
            channels[handle]?.state = .closed
            counters.dataChannelsClosed += 1
            emit(.close(handle))
        case .disconnected(let reason):
            for handle in channels.keys.sorted() where channels[handle]?.state != .closed {
                channels[handle]?.state = .closed
                emit(.close(handle))
            }
            streamToHandle.removeAll()
            emit(.transportClosed(reason: reason))
        }
    }
}
