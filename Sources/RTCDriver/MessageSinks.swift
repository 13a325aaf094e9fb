import DataChannel
import PeerConnection

/// Where each data channel's received messages go: held until someone takes the channel's
/// stream, then yielded one by one (``RTCDriver/messages(_:)``) or, for a batch stream
/// (``RTCDriver/messageBatches(_:)``), collected during one read burst and yielded together
/// when the burst's output is done (``publish()``), so the reader wakes once per burst.
///
/// Confined to the driver's event loop (a part of ``RTCDriverCore``).
struct MessageSinks {
    private enum Sink {
        /// Nobody took the stream yet: messages wait here (`ended`: the channel closed).
        case unclaimed([DataChannelMessage], ended: Bool)
        case messages(AsyncStream<DataChannelMessage>.Continuation)
        case batches(AsyncStream<[DataChannelMessage]>.Continuation)
        /// Taken and finished: later messages are dropped.
        case finished
    }

    private var sinks: [DataChannelHandle: Sink] = [:]
    /// Messages of batch streams received since the last ``publish()``.
    private var pending: [DataChannelHandle: [DataChannelMessage]] = [:]

    /// The channel opened (or was announced): its messages wait until its stream is taken.
    mutating func open(_ handle: DataChannelHandle) {
        if sinks[handle] == nil { sinks[handle] = .unclaimed([], ended: false) }
    }

    /// Routes one received message.
    mutating func deliver(_ message: DataChannelMessage, on handle: DataChannelHandle) {
        switch sinks[handle] {
        case .messages(let c): c.yield(message)
        case .batches: pending[handle, default: []].append(message)
        case .unclaimed(var list, let ended):
            sinks[handle] = nil  // `list` is then the only reference: appended in place
            list.append(message)
            sinks[handle] = .unclaimed(list, ended: ended)
        case nil: sinks[handle] = .unclaimed([message], ended: false)
        case .finished: break
        }
    }

    /// Yields what each batch stream received since the last call, as one batch per channel.
    mutating func publish() {
        guard !pending.isEmpty else { return }
        for (handle, batch) in pending {
            if case .batches(let c) = sinks[handle] { c.yield(batch) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The channel closed: its taken stream finishes after what it holds; a stream not yet
    /// taken will hand out what waits, then finish.
    mutating func close(_ handle: DataChannelHandle) {
        publish()
        switch sinks[handle] {
        case .messages(let c): c.finish(); sinks[handle] = .finished
        case .batches(let c): c.finish(); sinks[handle] = .finished
        case .unclaimed(let list, _): sinks[handle] = .unclaimed(list, ended: true)
        case nil, .finished: break
        }
    }

    /// Every channel closed (the connection ended).
    mutating func closeAll() {
        for handle in Array(sinks.keys) { close(handle) }
    }

    /// Takes `handle`'s stream of single messages (once; later takes get a finished stream).
    mutating func takeMessages(_ handle: DataChannelHandle) -> AsyncStream<DataChannelMessage> {
        let (stream, c) = AsyncStream<DataChannelMessage>.makeStream(bufferingPolicy: .unbounded)
        switch claim(handle) {
        case .some((let waiting, let ended)):
            for m in waiting { c.yield(m) }
            if ended { c.finish() } else { sinks[handle] = .messages(c) }
        case nil: c.finish()
        }
        return stream
    }

    /// Takes `handle`'s stream of batches (once; later takes get a finished stream).
    mutating func takeBatches(_ handle: DataChannelHandle) -> AsyncStream<[DataChannelMessage]> {
        let (stream, c) = AsyncStream<[DataChannelMessage]>.makeStream(bufferingPolicy: .unbounded)
        switch claim(handle) {
        case .some((let waiting, let ended)):
            if !waiting.isEmpty { c.yield(waiting) }
            if ended { c.finish() } else { sinks[handle] = .batches(c) }
        case nil: c.finish()
        }
        return stream
    }

    /// What waits for `handle`'s first taker, or nil when its stream was already taken.
    private mutating func claim(_ handle: DataChannelHandle) -> (waiting: [DataChannelMessage], ended: Bool)? {
        switch sinks[handle] {
        case nil: return ([], false)
        case .unclaimed(let list, let ended):
            sinks[handle] = .finished
            return (list, ended)
        case .messages, .batches, .finished: return nil
        }
    }

    /// Finishes `handle`'s stream now (its reader is going away); later messages are dropped.
    mutating func end(_ handle: DataChannelHandle) {
        close(handle)
        sinks[handle] = .finished
    }
}
