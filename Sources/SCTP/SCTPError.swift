/// Why an API call on an ``SCTPAssociation`` was refused.
public enum SCTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The association is not in a state that allows the call (e.g. sending before it is
    /// established or after shutdown began).
    case invalidState(SCTPAssociation.State)
    /// The message is larger than the peer accepts (`maxSendMessageSize`).
    case messageTooLarge(size: Int, limit: Int)
    /// The stream's send queue would exceed its cap; wait for a buffered-amount-low event.
    case sendQueueFull(stream: UInt16, buffered: Int, limit: Int)
    /// The stream identifier is outside the negotiated number of streams.
    case invalidStream(UInt16)
    /// The stream is being reset and takes no new messages until the reset completes.
    case streamResetting(UInt16)
    /// An empty message: SCTP cannot carry zero-byte user data (data channels use the
    /// empty PPIDs with one padding byte instead).
    case emptyMessage

    public var description: String {
        switch self {
        case .invalidState(let s): return "not allowed in state \(s)"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds the limit of \(limit)"
        case .sendQueueFull(let stream, let buffered, let limit):
            return "send queue of stream \(stream) full (\(buffered) of \(limit) bytes)"
        case .invalidStream(let s): return "stream \(s) is outside the negotiated streams"
        case .streamResetting(let s): return "stream \(s) is being reset"
        case .emptyMessage: return "empty message"
        }
    }
}
