import WireKit

/// A token bucket: `capacity` tokens, refilled at `rate` per second; one message costs one.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private var last: Instant

    init(rate: Double, capacity: Double, now: Instant) {
        self.rate = rate
        self.capacity = max(1, capacity)
        self.tokens = max(1, capacity)
        self.last = now
    }

    /// Takes one token if there is one; refills first by the time since the last call.
    mutating func take(now: Instant) -> Bool {
        if now > last {
            tokens = min(capacity, tokens + (now - last).seconds * rate)
            last = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
