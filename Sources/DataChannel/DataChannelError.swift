import SCTP

/// Why a data channel API call was refused.
public enum DataChannelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The channel is not open (W3C InvalidStateError) or the association is not up.
    case invalidState(String)
    /// No channel with this id.
    case unknownChannel(UInt16)
    /// The id is taken, out of range, or of the wrong parity for a negotiated channel.
    case invalidID(UInt16)
    /// Every id of our parity is in use.
    case noFreeID
    /// The message exceeds the peer's max-message-size (W3C TypeError).
    case messageTooLarge(size: Int, limit: Int)
    /// The channel's send queue is full (W3C OperationError): wait for bufferedAmountLow.
    case sendQueueFull(buffered: Int, limit: Int)
    /// Both maxRetransmits and maxPacketLifeTime were given (W3C TypeError).
    case conflictingReliability

    public var description: String {
        switch self {
        case .invalidState(let s): return "invalid state: \(s)"
        case .unknownChannel(let id): return "no data channel \(id)"
        case .invalidID(let id): return "invalid data channel id \(id)"
        case .noFreeID: return "no free data channel id"
        case .messageTooLarge(let size, let limit): return "message of \(size) bytes exceeds \(limit)"
        case .sendQueueFull(let b, let l): return "send queue full (\(b) of \(l) bytes)"
        case .conflictingReliability: return "maxRetransmits and maxPacketLifeTime are exclusive"
        }
    }
}
