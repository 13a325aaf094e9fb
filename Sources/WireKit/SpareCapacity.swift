/// The one rule for when bytes kept from a larger buffer should move into a buffer of their own
/// size: when the buffer's capacity exceeds them by more than a quarter plus 256 bytes.
///
/// Received messages wait in queues bounded by their byte count, and a slice keeps its whole
/// buffer alive; spare capacity beyond that is memory no bound accounts for. SCTP's reassembly
/// applies it to a delivered message, the sync engine's frame decode to a chunk sliced from one.
public enum SpareCapacity {
    /// Whether a buffer of `capacity` bytes holds too much beyond the `count` bytes kept from it.
    @inlinable
    public static func isExcessive(capacity: Int, keeping count: Int) -> Bool {
        capacity > count + count / 4 + 256
    }
}
