/// A ``PeerLink`` that can send several frames at once, in order (one hop into the transport
/// and one flush for a burst of small frames). Links without it get one `send` per frame.
protocol BatchSendingPeerLink: PeerLink {
    /// Sends `frames` in order, suspending while the transport is above its high-water mark.
    func send(batch frames: [[UInt8]]) async throws
}
