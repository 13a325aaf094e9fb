/// Reconnection delays: exponential with "equal jitter". Attempt `n` (1, 2, …) waits a
/// uniformly random time in `[cap/2, cap]`, where `cap = min(maximum, base · 2^(n-1))`, so
/// clients that lost the server together do not come back together.
public struct Backoff: Sendable, Equatable {
    /// The cap of the first attempt.
    public var base: Duration
    /// The largest cap.
    public var maximum: Duration

    /// A backoff from `base` doubling up to `maximum`.
    public init(base: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.base = base
        self.maximum = maximum
    }

    /// The upper bound of the delay before attempt `attempt` (1-based).
    public func cap(attempt: Int) -> Duration {
        var cap = base
        var n = 1
        while n < attempt && cap < maximum {
            cap = cap * 2
            n += 1
        }
        return min(cap, maximum)
    }

    /// A jittered delay before attempt `attempt`, drawn from `random`.
    public func delay(attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let capNanos = max(2, cap(attempt: attempt).components.seconds * 1_000_000_000
                           + cap(attempt: attempt).components.attoseconds / 1_000_000_000)
        let low = capNanos / 2
        return .nanoseconds(Int64.random(in: low...capNanos, using: &random))
    }
}
