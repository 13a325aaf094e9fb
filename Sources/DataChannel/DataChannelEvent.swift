/// A message received on a data channel.
public struct DataChannelMessage: Sendable, Equatable {
    /// True for text (PPID 51/56), false for binary (53/57).
    public var isText: Bool
    /// The bytes (UTF-8 for text; empty for the empty PPIDs).
    public var data: [UInt8]

    /// Creates a message.
    public init(isText: Bool, data: [UInt8]) { self.isText = isText; self.data = data }

    /// The text, when `isText` and valid UTF-8.
    public var text: String? { isText ? String(validating: data, as: UTF8.self) : nil }
}

/// Something a ``DataChannelManager`` reports, named after the W3C events.
public enum DataChannelEvent: Sendable, Equatable {
    /// The SCTP association is up.
    case connected
    /// The peer opened a channel (W3C `datachannel`).
    case dataChannel(UInt16)
    /// A channel became open (W3C `open`).
    case open(UInt16)
    /// A message arrived (W3C `message`).
    case message(UInt16, DataChannelMessage)
    /// `bufferedAmount` fell from above the threshold to at or below it (W3C `bufferedamountlow`).
    case bufferedAmountLow(UInt16)
    /// The channel started closing (W3C `closing`).
    case closing(UInt16)
    /// The channel closed; its id is free again (W3C `close`).
    case closed(UInt16)
    /// The association ended (gracefully or by abort); every channel is closed.
    case disconnected(reason: String)
}
