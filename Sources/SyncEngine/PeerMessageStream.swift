/// The ordered, reliable, backpressured message stream to one peer that the sync side needs.
///
/// The daemon maps it onto a WebRTC data channel (ordered, reliable): `send` suspends while the
/// channel's `bufferedAmount` is above its high-water mark and resumes on `bufferedamountlow`;
/// `incoming` yields whole messages in order. The sync side imports no WebRTC module.
public protocol PeerMessageStream: Sendable {
    /// The authenticated device ID of the peer (from the transport, not from the peer's words).
    var peerDeviceID: String { get }
    /// Sends one message, suspending while the transport's buffer is full.
    func send(_ message: [UInt8]) async throws
    /// Messages from the peer, in order; finishes when the stream closes.
    var incoming: AsyncStream<[UInt8]> { get }
    /// Closes the stream.
    func close() async
}
