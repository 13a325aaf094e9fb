import WireKit

/// Where a simulation stood when it failed: enough to understand and replay it.
public struct SimFailure: Sendable, CustomStringConvertible {
    /// The network's seed; `SimNetwork(seed:)` with it replays the run.
    public var seed: UInt64
    /// Virtual time at the failure.
    public var now: Instant
    /// Steps taken by the failing `run`.
    public var steps: Int
    /// The newest trace entries (up to 50).
    public var traceTail: [TraceEntry]
    /// Counters at the failure.
    public var stats: SimStats

    public var description: String {
        var text = "seed \(seed) (replay with SimNetwork(seed: \(seed))), at \(now) after \(steps) steps; \(stats)"
        text += "\nlast \(traceTail.count) trace entries:"
        for entry in traceTail { text += "\n  \(entry)" }
        return text
    }
}

/// Why `SimNetwork.run` gave up.
public enum SimError: Error, CustomStringConvertible {
    /// The step bound was reached before the condition held.
    case stepLimit(SimFailure)
    /// The next event lies beyond the virtual-time bound.
    case timeLimit(SimFailure)
    /// Nothing is scheduled (no datagram in flight, no endpoint deadline) and the condition
    /// does not hold: waiting longer cannot change anything.
    case stalled(SimFailure)

    /// The seed, trace tail and counters at the failure.
    public var failure: SimFailure {
        switch self {
        case .stepLimit(let f), .timeLimit(let f), .stalled(let f): f
        }
    }

    /// The seed of the failing network.
    public var seed: UInt64 { failure.seed }

    public var description: String {
        switch self {
        case .stepLimit(let f): "NetSim step limit reached: \(f)"
        case .timeLimit(let f): "NetSim time limit reached: \(f)"
        case .stalled(let f): "NetSim stalled (nothing scheduled, condition unmet): \(f)"
        }
    }
}
