import Synchronization

/// A byte count shared between a folder's actor and a link's sender task without a hop:
/// bytes handed to the sender minus bytes it has sent (what the link holds unsent).
final class ByteGauge: Sendable {
    private let bytes = Atomic<Int>(0)

    /// Adds `n` (negative to subtract).
    func add(_ n: Int) { bytes.add(n, ordering: .relaxed) }

    /// The current count.
    var value: Int { bytes.load(ordering: .relaxed) }
}
