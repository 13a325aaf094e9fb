import WireKit

/// Decides which sequence numbers to NACK (RFC 4585 generic NACK) for one received source.
///
/// Sans-IO: feed received sequence numbers with ``handle(sequenceNumber:now:)``; call
/// ``pollNACK(now:)`` when ``pollTimeout()`` is due. Each hole is asked for again every
/// `retryInterval` (set it to the RTT when known) up to `maxRetries`, and forgotten once it is
/// more than `maxAge` packets behind the newest.
public struct NACKGenerator: Sendable {
    /// Our SSRC (written as the NACK's sender).
    public let senderSSRC: UInt32
    /// The source whose packets we track.
    public let mediaSSRC: UInt32
    /// How far behind the newest packet a hole is still worth asking for.
    public var maxAge: Int
    /// How many times one hole is asked for.
    public var maxRetries: Int
    /// The wait between two requests for the same hole (use the RTT when known).
    public var retryInterval: Duration
    /// The wait before the first request (tolerates small reordering).
    public var reorderDelay: Duration

    private struct Hole: Sendable {
        var retries: Int
        var due: Instant
    }

    private var highest: Int64?
    private var holes: [Int64: Hole] = [:]
    /// Holes given up on (too old or too many retries).
    public private(set) var abandoned: Int = 0

    /// A generator for `mediaSSRC`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, maxAge: Int = 512, maxRetries: Int = 10,
                retryInterval: Duration = .milliseconds(100), reorderDelay: Duration = .milliseconds(5)) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.maxAge = maxAge
        self.maxRetries = maxRetries
        self.retryInterval = retryInterval
        self.reorderDelay = reorderDelay
    }

    /// Sequence numbers currently missing, oldest first.
    public var missing: [UInt16] {
        holes.keys.sorted().map { UInt16(truncatingIfNeeded: $0) }
    }

    /// Records a received packet's sequence number.
    public mutating func handle(sequenceNumber seq: UInt16, now: Instant) {
        guard let high = highest else {
            highest = Int64(seq)
            return
        }
        let delta = Int64(Int16(bitPattern: seq &- UInt16(truncatingIfNeeded: high)))
        let ext = high + delta
        if delta > 0 {
            if delta > Int64(maxAge) {
                abandoned += holes.count
                holes.removeAll()
            } else {
                for missing in (high + 1)..<ext {
                    holes[missing] = Hole(retries: 0, due: now + reorderDelay)
                }
            }
            highest = ext
            let cutoff = ext - Int64(maxAge)
            for key in holes.keys where key < cutoff {
                holes[key] = nil
                abandoned += 1
            }
        } else {
            holes[ext] = nil
        }
    }

    /// The next instant a NACK may be due, or nil when nothing is missing.
    public func pollTimeout() -> Instant? {
        holes.values.map(\.due).min()
    }

    /// A NACK for every hole due at `now`, or nil.
    public mutating func pollNACK(now: Instant) -> GenericNACK? {
        var lost: [Int64] = []
        for (key, hole) in holes where hole.due <= now {
            if hole.retries >= maxRetries {
                holes[key] = nil
                abandoned += 1
                continue
            }
            lost.append(key)
            holes[key] = Hole(retries: hole.retries + 1, due: now + retryInterval)
        }
        guard !lost.isEmpty else { return nil }
        lost.sort()
        return GenericNACK(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC,
                           lost: lost.map { UInt16(truncatingIfNeeded: $0) })
    }
}
