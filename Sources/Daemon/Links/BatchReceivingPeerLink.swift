/// A ``PeerLink`` that can hand over several received frames at once, in order (everything
/// that waits, up to a byte bound): the folder takes them with one hop into its actor and
/// sends what they caused with one drain, instead of one of each per frame.
protocol BatchReceivingPeerLink: PeerLink {
    /// The frames from the peer in order, in batches of at least one; finishes with `incoming`.
    /// Take either this or `incoming`, not both.
    var incomingBatches: AsyncStream<[[UInt8]]> { get }
}
