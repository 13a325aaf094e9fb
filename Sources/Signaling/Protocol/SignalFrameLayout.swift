/// Where the members of a `signal` frame lie in its UTF-8 bytes, found without building any
/// string: what the rendezvous server needs to forward a signal's payload exactly as received,
/// with only the text before it rewritten (`to` becomes `from`).
///
/// Only frames of the shape `SignalFrameScanner` recognises are located (the same reader does
/// both); for any other frame `locate` answers nil and the frame goes to the general decoder.
public struct SignalFrameLayout: Sendable, Equatable {
    /// The peer member's value (`to` or `from`), between its quotes.
    public var peer: Range<Int>
    /// True when the peer's value has escapes (a device ID never needs any).
    public var peerHasEscapes: Bool
    /// The payload member's value *with* its quotes and its escapes as received: a JSON string
    /// that any JSON parser reads as the payload.
    public var quotedPayload: Range<Int>
    /// The payload's length in bytes of UTF-8 once its escapes are resolved (what the
    /// `maxPayloadBytes` limit counts).
    public var payloadByteCount: Int
    /// True when the payload has escapes.
    public var payloadHasEscapes: Bool

    /// The payload's value between its quotes.
    public var payload: Range<Int> { (quotedPayload.lowerBound + 1)..<(quotedPayload.upperBound - 1) }

    /// Which peer key a frame carries.
    public enum PeerKey: Sendable {
        /// A client's frame: `to`.
        case to
        /// A server's frame: `from`.
        case from
    }

    /// The layout of `bytes` when they are a `signal` frame of the recognised shape (valid
    /// UTF-8 included) with peer key `peerKey`; nil otherwise.
    public static func locate(in bytes: UnsafeRawBufferPointer, peerKey: PeerKey) -> SignalFrameLayout? {
        let key = peerKey == .to ? SignalFrameScanner.toKey : SignalFrameScanner.fromKey
        return SignalFrameScanner.locate(bytes.assumingMemoryBound(to: UInt8.self), peerKey: key)
    }
}
