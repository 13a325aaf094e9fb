/// A message received on a stream.
public struct SCTPMessage: Sendable, Equatable {
    /// Stream identifier.
    public var streamID: UInt16
    /// Payload protocol identifier.
    public var ppid: UInt32
    /// True when the message was sent unordered.
    public var unordered: Bool
    /// The reassembled user data.
    public var payload: [UInt8]

    /// Creates a message.
    public init(streamID: UInt16, ppid: UInt32, unordered: Bool, payload: [UInt8]) {
        self.streamID = streamID; self.ppid = ppid; self.unordered = unordered; self.payload = payload
    }
}

/// Something an ``SCTPAssociation`` reports to its owner through `pollEvent()`.
public enum SCTPEvent: Sendable, Equatable {
    /// The association is established (COOKIE ACK received or sent).
    case connected
    /// The peer restarted (RFC 9260 §5.2.4 A): it lost its association state and formed a new
    /// one with us. Every stream starts over (sequence numbers at 0, TSNs from the new initial
    /// ones); messages queued or in flight before the restart were discarded. The association
    /// stays established.
    case restarted
    /// A complete message arrived.
    case message(SCTPMessage)
    /// The stream's buffered amount fell from above its low threshold to at or below it.
    case bufferedAmountLow(streamID: UInt16)
    /// The peer reset these incoming streams (RFC 6525): their sequence numbers restart at 0.
    case incomingStreamsReset([UInt16])
    /// Our outgoing reset of these streams completed; the ids may be reused.
    case outgoingStreamsReset([UInt16])
    /// The peer refused to reset these outgoing streams.
    case streamResetFailed([UInt16])
    /// The graceful shutdown finished; the association is closed.
    case closed
    /// The association was aborted (by either side, or after too many retransmissions).
    case aborted(reason: String)
}
